/** A glob over a whole text: `*` stands for any run of characters, nothing else is special. */
export function globRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}
