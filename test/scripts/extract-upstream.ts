/**
 * Extracts, mechanically, the upstream facts our schema (schema.ts) is checked against, into
 * test/oracles/upstream-fields.json. Not used at run time; re-run when upgrading the modelled API version:
 *
 *   npx tsx test/scripts/extract-upstream.ts <kubernetes/api dir> <kubernetes/apimachinery dir> \
 *     [<api commit> <apimachinery commit>] > test/oracles/upstream-fields.json
 *
 * A checkout is any directory holding the repository's files (a `git worktree`, or `git archive | tar -x`).
 * From each Go struct in types.go: every field's Go kind (value, pointer, slice, map), json name and options
 * (omitempty, omitzero, inline) and protobuf field number. From each gogo-generated `MarshalToSizedBuffer` in
 * generated.pb.go: which field numbers are written unconditionally. Reverse marshalling writes a field's tag last,
 * so a tag assignment at the function's top level is an always-written field, and the last tag assigned inside a
 * top-level `if` block is a field written only when set.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface UpstreamField {
  goName: string;
  goType: string;
  goKind: "value" | "pointer" | "slice" | "map";
  json: string;
  omitEmpty: boolean;
  omitZero: boolean;
  inline: boolean;
  /** Protobuf field number; 0 when the field has no protobuf tag (TypeMeta embedded in top-level objects). */
  num: number;
  /** Protobuf field name ("" without a protobuf tag). */
  proto: string;
  /** gogo MarshalToSizedBuffer writes it even when empty; undefined when the marshaller was not found. */
  pbAlways?: boolean;
}

export interface UpstreamMessage {
  /** Fully qualified protobuf name, e.g. k8s.io.api.discovery.v1.Endpoint. */
  proto: string;
  source: string;
  fields: UpstreamField[];
}

// Named Go types in core/v1 that are maps (ResourceList = map[ResourceName]resource.Quantity).
const NAMED_MAP_TYPES = new Set(["ResourceList"]);

export function parseGoStructs(src: string): Map<string, Omit<UpstreamField, "pbAlways">[]> {
  const out = new Map<string, Omit<UpstreamField, "pbAlways">[]>();
  const structRe = /^type (\w+) struct \{\n([\s\S]*?)^\}/gm;
  for (const m of src.matchAll(structRe)) {
    const fields: Omit<UpstreamField, "pbAlways">[] = [];
    for (const raw of m[2].split("\n")) {
      const line = raw.trim();
      if (line === "" || line.startsWith("//")) continue;
      const fm = /^(\w+)?\s*([^\s`]+)?\s*`([^`]*)`/.exec(line);
      if (!fm) continue;
      let goName = fm[1] ?? "";
      let goType = fm[2] ?? "";
      let embedded = false;
      if (goType === "") {
        embedded = true;
        // embedded field: `metav1.TypeMeta` or `LocalObjectReference`
        goType = goName;
        goName = goName.replace(/^.*\./, "");
      } else if (goName === "" || /^\w+\.\w+$/.test(`${goName}${goType}`)) {
        // `metav1.ObjectMeta` is split by the regexp as goName="metav1", goType=".ObjectMeta"
        if (goType.startsWith(".")) {
          embedded = true;
          goType = goName + goType;
          goName = goType.replace(/^.*\./, "");
        }
      }
      const tag = fm[3];
      const jsonTag = /json:"([^"]*)"/.exec(tag)?.[1] ?? "";
      const pbTag = /protobuf:"([^"]*)"/.exec(tag)?.[1];
      const [jsonName, ...opts] = jsonTag.split(",");
      const bare = goType.replace(/^.*\./, "");
      const goKind = goType.startsWith("*")
        ? "pointer"
        : goType.startsWith("[]")
          ? "slice"
          : goType.startsWith("map[") || NAMED_MAP_TYPES.has(bare)
            ? "map"
            : "value";
      fields.push({
        goName,
        goType,
        goKind,
        json: jsonName,
        omitEmpty: opts.includes("omitempty"),
        omitZero: opts.includes("omitzero"),
        // encoding/json promotes the fields of an embedded struct that has no JSON name (`json:",inline"` is a
        // Kubernetes convention; `json:""` does the same)
        inline: embedded && jsonName === "",
        num: pbTag ? Number(pbTag.split(",")[1]) : 0,
        proto: (pbTag && /(?:^|,)name=(\w+)/.exec(pbTag)?.[1]) ?? "",
      });
    }
    out.set(m[1], fields);
  }
  return out;
}

/** Field numbers written unconditionally (true) or only when set (false), per Go type name. */
export function parseGogoMarshallers(src: string): Map<string, Map<number, boolean>> {
  const out = new Map<string, Map<number, boolean>>();
  const fnRe = /^func \(m \*(\w+)\) MarshalToSizedBuffer\(dAtA \[\]byte\) \(int, error\) \{\n([\s\S]*?)^\}/gm;
  for (const m of src.matchAll(fnRe)) {
    const presence = new Map<number, boolean>();
    const lines = m[2].split("\n");
    let topTags: number[] = [];
    const flushTop = (): void => {
      for (const num of decodeTags(topTags)) presence.set(num, true);
      topTags = [];
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const hex = /^\tdAtA\[i\] = (0x[0-9a-f]+)$/.exec(line);
      if (hex) {
        topTags.push(Number(hex[1]));
        continue;
      }
      if (/^\tif /.test(line)) {
        flushTop();
        // collect the block up to its closing "\t}" (an "\t} else {" continues it)
        const blockTags: number[] = [];
        let j = i + 1;
        for (; j < lines.length && lines[j] !== "\t}"; j++) {
          const h = /^\t\t+dAtA\[i\] = (0x[0-9a-f]+)$/.exec(lines[j]);
          if (h) blockTags.push(Number(h[1]));
        }
        i = j;
        const decoded = decodeTags(blockTags);
        if (decoded.length > 0) presence.set(decoded[decoded.length - 1], false);
        continue;
      }
      if (!/^\t(i--|i -=|i = |copy\(|\{|\}|\t)/.test(line)) flushTop();
    }
    flushTop();
    out.set(m[1], presence);
  }
  return out;
}

/** Reverse marshalling writes a two-byte tag high byte first: [0x1, 0x8a] is the varint 0x8a 0x01. */
function decodeTags(bytes: number[]): number[] {
  const nums: number[] = [];
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k];
    if (b >= 0x80) {
      if (k === 0) throw new Error("dangling tag continuation byte");
      nums.pop();
      nums.push(((b & 0x7f) | (bytes[k - 1] << 7)) >>> 3);
    } else {
      nums.push(b >>> 3);
    }
  }
  return nums;
}

export interface UpstreamFixture {
  extractedBy: string;
  sources: Record<string, string>;
  messages: UpstreamMessage[];
}

interface PackageSource {
  protoPackage: string;
  dir: string;
  typesFiles: string[];
  pbFile: string;
  messages: string[];
}

function main(): void {
  const [apiDir, machineryDir, apiCommit = "unknown", machineryCommit = "unknown"] = process.argv.slice(2);
  if (!apiDir || !machineryDir) {
    process.stderr.write("usage: extract-upstream.ts <kubernetes/api dir> <kubernetes/apimachinery dir>\n");
    process.exit(2);
  }
  const packages: PackageSource[] = [
    {
      protoPackage: "k8s.io.apimachinery.pkg.apis.meta.v1",
      dir: join(machineryDir, "pkg/apis/meta/v1"),
      typesFiles: ["types.go", "watch.go", "time_proto.go"],
      pbFile: "generated.pb.go",
      messages: ["ObjectMeta", "OwnerReference", "ManagedFieldsEntry", "Condition", "TypeMeta", "WatchEvent", "Timestamp"],
    },
    {
      protoPackage: "k8s.io.apimachinery.pkg.runtime",
      dir: join(machineryDir, "pkg/runtime"),
      typesFiles: ["types.go"],
      pbFile: "generated.pb.go",
      messages: ["Unknown", "TypeMeta", "RawExtension"],
    },
    {
      protoPackage: "k8s.io.apimachinery.pkg.util.intstr",
      dir: join(machineryDir, "pkg/util/intstr"),
      typesFiles: ["intstr.go"],
      pbFile: "generated.pb.go",
      messages: ["IntOrString"],
    },
    {
      protoPackage: "k8s.io.api.discovery.v1",
      dir: join(apiDir, "discovery/v1"),
      typesFiles: ["types.go"],
      pbFile: "generated.pb.go",
      messages: ["EndpointSlice", "Endpoint", "EndpointConditions", "EndpointHints", "ForZone", "ForNode", "EndpointPort"],
    },
    {
      protoPackage: "k8s.io.api.core.v1",
      dir: join(apiDir, "core/v1"),
      typesFiles: ["types.go"],
      pbFile: "generated.pb.go",
      messages: CORE_MESSAGES,
    },
    {
      protoPackage: "k8s.io.api.coordination.v1",
      dir: join(apiDir, "coordination/v1"),
      typesFiles: ["types.go"],
      pbFile: "generated.pb.go",
      messages: ["Lease", "LeaseSpec"],
    },
  ];
  const result: UpstreamMessage[] = [];
  for (const pkg of packages) {
    const structs = new Map<string, Omit<UpstreamField, "pbAlways">[]>();
    for (const f of pkg.typesFiles) {
      for (const [k, v] of parseGoStructs(readFileSync(join(pkg.dir, f), "utf8"))) structs.set(k, v);
    }
    const marshallers = parseGogoMarshallers(readFileSync(join(pkg.dir, pkg.pbFile), "utf8"));
    for (const name of pkg.messages) {
      const fields = structs.get(name);
      if (!fields) throw new Error(`${pkg.protoPackage}.${name}: struct not found`);
      const presence = marshallers.get(name);
      result.push({
        proto: `${pkg.protoPackage}.${name}`,
        source: `${pkg.dir.startsWith(apiDir) ? "kubernetes/api" : "kubernetes/apimachinery"}/${pkg.dir
          .slice((pkg.dir.startsWith(apiDir) ? apiDir : machineryDir).length)
          .replace(/^\//, "")}`,
        fields: fields.map((f) => ({ ...f, pbAlways: f.num === 0 ? undefined : presence?.get(f.num) })),
      });
    }
  }
  const fixture: UpstreamFixture = {
    extractedBy: "test/scripts/extract-upstream.ts",
    sources: { "kubernetes/api": apiCommit, "kubernetes/apimachinery": machineryCommit },
    messages: result,
  };
  // one field per line keeps the fixture small and its diffs readable
  const messages = fixture.messages.map(
    (m) =>
      `  {"proto": ${JSON.stringify(m.proto)}, "source": ${JSON.stringify(m.source)}, "fields": [\n` +
      m.fields.map((f) => `    ${JSON.stringify(f)}`).join(",\n") +
      "\n  ]}",
  );
  process.stdout.write(
    `{"extractedBy": ${JSON.stringify(fixture.extractedBy)}, "sources": ${JSON.stringify(fixture.sources)},\n` + `"messages": [\n${messages.join(",\n")}\n]}\n`,
  );
}

const CORE_MESSAGES = [
  "Service",
  "ServiceSpec",
  "ServicePort",
  "SessionAffinityConfig",
  "ClientIPConfig",
  "ServiceStatus",
  "LoadBalancerStatus",
  "LoadBalancerIngress",
  "PortStatus",
  "Endpoints",
  "EndpointSubset",
  "EndpointAddress",
  "EndpointPort",
  "ObjectReference",
  "Pod",
  "PodSpec",
  "Volume",
  "VolumeSource",
  "EmptyDirVolumeSource",
  "SecretVolumeSource",
  "ConfigMapVolumeSource",
  "ProjectedVolumeSource",
  "VolumeProjection",
  "SecretProjection",
  "ConfigMapProjection",
  "DownwardAPIProjection",
  "ServiceAccountTokenProjection",
  "KeyToPath",
  "DownwardAPIVolumeFile",
  "ObjectFieldSelector",
  "LocalObjectReference",
  "Container",
  "ContainerPort",
  "EnvVar",
  "EnvVarSource",
  "ConfigMapKeySelector",
  "SecretKeySelector",
  "ResourceRequirements",
  "VolumeMount",
  "Probe",
  "ProbeHandler",
  "ExecAction",
  "HTTPGetAction",
  "HTTPHeader",
  "TCPSocketAction",
  "SecurityContext",
  "Capabilities",
  "SeccompProfile",
  "PodSecurityContext",
  "Toleration",
  "PodStatus",
  "PodCondition",
  "HostIP",
  "PodIP",
  "ContainerStatus",
  "ContainerState",
  "ContainerStateWaiting",
  "ContainerStateRunning",
  "ContainerStateTerminated",
  "VolumeMountStatus",
  "ContainerUser",
  "LinuxContainerUser",
  "Node",
  "NodeSpec",
  "Taint",
  "NodeStatus",
  "NodeCondition",
  "NodeAddress",
  "NodeDaemonEndpoints",
  "DaemonEndpoint",
  "NodeSystemInfo",
  "NodeSwapStatus",
  "ContainerImage",
  "AttachedVolume",
  "NodeRuntimeHandler",
  "NodeRuntimeHandlerFeatures",
  "NodeFeatures",
  "Event",
  "EventSource",
  "EventSeries",
];

if (process.argv[1] && /extract-upstream\.ts$/.test(process.argv[1])) main();
