/**
 * A run must not outlive what started it. `npx bench` runs node under npm and a shell, and a CI timeout kills npm
 * (SIGTERM, or SIGKILL) without passing the signal on: the run went on and overwrote the reports a minute later. So
 * the run watches its ancestors (the shell, npm, and whatever started npm) and stops, writing nothing, when one of them
 * is gone; SIGTERM and SIGHUP stop it as SIGINT does.
 */
import { readFileSync } from "node:fs";

/** The parent, grandparent, ... up to `depth` levels (Linux /proc; elsewhere the parent only), init excluded. */
export function ancestors(depth = 3): number[] {
  const out: number[] = [];
  let pid = process.ppid;
  while (pid > 1 && out.length < depth) {
    out.push(pid);
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ")"
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      break;
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Calls `stop` with a reason on SIGINT, SIGTERM or SIGHUP, or when an ancestor exits (checked every `everyMs`);
 * returns the function that stops watching.
 */
export function watchLifeline(stop: (reason: string) => void, everyMs = 1000): () => void {
  const watched = ancestors();
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => {
    const handler = (): void => stop(signal);
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  const timer = setInterval(() => {
    const gone = watched.find((pid) => !alive(pid));
    if (gone !== undefined) stop(`process ${gone}, which started this run, is gone`);
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}
