/**
 * One table per modelled message: for each field, in Go struct order (the JSON order), its JSON name and options,
 * Go kind and protobuf number. The generic sizers (object-size.ts) and the kubectl JSON parser walk these tables.
 *
 * Rules the tables encode, checked field by field against test/oracles/upstream-fields.json (extracted mechanically
 * from types.go and generated.pb.go; see test/scripts/extract-upstream.ts):
 * - protobuf (gogo MarshalToSizedBuffer): a "value" field is written always, even empty or zero; a "pointer" only
 *   when non-nil; a "slice" or "map" only when non-empty, one entry per element.
 * - JSON (encoding/json): omitempty drops "", 0, false, nil pointers and empty slices and maps, but never a struct
 *   (metav1.Time, Quantity, IntOrString, nested messages); omitzero drops a zero struct (only
 *   ObjectMeta.creationTimestamp has it). Without omitempty a nil pointer, slice or map is written as null.
 * - inline: an embedded struct (`json:",inline"`) is its own protobuf message but its fields sit in the parent's
 *   JSON object.
 */
import { tagSize } from "./protobuf-size.js";

export type GoKind = "value" | "pointer" | "slice" | "map";

/**
 * Scalar kinds. "time" is metav1.Time (JSON: RFC 3339 to the second or null; protobuf: Timestamp message, nanos
 * 0), "microTime" is metav1.MicroTime (JSON: RFC 3339 with exactly six fraction digits or null; protobuf:
 * Timestamp message whose nanos hold the microseconds), "quantity" is resource.Quantity (JSON: string; protobuf:
 * {string=1}), "intOrString" (JSON: number or string; protobuf: {type=1, intVal=2, strVal=3}), "fieldsV1" is
 * metav1.FieldsV1 (JSON: any object; protobuf: {Raw=1} holding the JSON text).
 */
export type ScalarType = "string" | "bool" | "int32" | "int64" | "time" | "microTime" | "quantity" | "intOrString" | "fieldsV1";

export interface MessageSchema {
  /** Fully qualified protobuf name, e.g. k8s.io.api.discovery.v1.Endpoint. */
  readonly name: string;
  readonly fields: readonly FieldSchema[];
}

export interface FieldSchema {
  /** JSON key ("" for an inline struct). */
  readonly json: string;
  /** Protobuf field name (differs from `json` only for inline structs). */
  readonly proto: string;
  /** Protobuf field number; 0 for TypeMeta's kind/apiVersion, which exist only in JSON. */
  readonly num: number;
  readonly type: ScalarType | MessageSchema;
  readonly go: GoKind;
  readonly omitEmpty: boolean;
  readonly omitZero: boolean;
  readonly inline: boolean;
  /** tagSize(num), precomputed. */
  readonly tag: number;
  /** Bytes of `"json":`, precomputed. */
  readonly keyBytes: number;
}

type Flag = "omitempty" | "omitzero" | "inline";
type FieldSpec = readonly [json: string, num: number, type: ScalarType | MessageSchema, go: GoKind, ...flags: Flag[]];

function message(name: string, specs: readonly FieldSpec[]): MessageSchema {
  return { name, fields: fields(specs) };
}

function fields(specs: readonly FieldSpec[]): FieldSchema[] {
  return specs.map(toField);
}

function toField([json, num, type, go, ...flags]: FieldSpec): FieldSchema {
  return {
    json,
    proto: json,
    num,
    type,
    go,
    omitEmpty: flags.includes("omitempty"),
    omitZero: flags.includes("omitzero"),
    inline: false,
    tag: num === 0 ? 0 : tagSize(num),
    keyBytes: json.length + 3,
  };
}

/** An embedded struct inlined in JSON: protobuf field `proto` = num, always written (a value). */
function inline(proto: string, num: number, type: MessageSchema): FieldSchema {
  return { json: "", proto, num, type, go: "value", omitEmpty: false, omitZero: false, inline: true, tag: tagSize(num), keyBytes: 0 };
}

const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
const CORE = "k8s.io.api.core.v1";
const DISCOVERY = "k8s.io.api.discovery.v1";
const COORDINATION = "k8s.io.api.coordination.v1";
const O = "omitempty";

// ---- meta/v1 ----

export const OwnerReferenceSchema = message(`${META}.OwnerReference`, [
  ["apiVersion", 5, "string", "value"],
  ["kind", 1, "string", "value"],
  ["name", 3, "string", "value"],
  ["uid", 4, "string", "value"],
  ["controller", 6, "bool", "pointer", O],
  ["blockOwnerDeletion", 7, "bool", "pointer", O],
]);

export const ManagedFieldsEntrySchema = message(`${META}.ManagedFieldsEntry`, [
  ["manager", 1, "string", "value", O],
  ["operation", 2, "string", "value", O],
  ["apiVersion", 3, "string", "value", O],
  ["time", 4, "time", "pointer", O],
  ["fieldsType", 6, "string", "value", O],
  ["fieldsV1", 7, "fieldsV1", "pointer", O],
  ["subresource", 8, "string", "value", O],
]);

export const ObjectMetaSchema = message(`${META}.ObjectMeta`, [
  ["name", 1, "string", "value", O],
  ["generateName", 2, "string", "value", O],
  ["namespace", 3, "string", "value", O],
  ["selfLink", 4, "string", "value", O],
  ["uid", 5, "string", "value", O],
  ["resourceVersion", 6, "string", "value", O],
  ["generation", 7, "int64", "value", O],
  ["creationTimestamp", 8, "time", "value", O, "omitzero"],
  ["deletionTimestamp", 9, "time", "pointer", O],
  ["deletionGracePeriodSeconds", 10, "int64", "pointer", O],
  ["labels", 11, "string", "map", O],
  ["annotations", 12, "string", "map", O],
  ["ownerReferences", 13, OwnerReferenceSchema, "slice", O],
  ["finalizers", 14, "string", "slice", O],
  ["managedFields", 17, ManagedFieldsEntrySchema, "slice", O],
]);

export const ConditionSchema = message(`${META}.Condition`, [
  ["type", 1, "string", "value"],
  ["status", 2, "string", "value"],
  ["observedGeneration", 3, "int64", "value", O],
  ["lastTransitionTime", 4, "time", "value"],
  ["reason", 5, "string", "value"],
  ["message", 6, "string", "value"],
]);

// ---- core/v1 shared ----

export const ObjectReferenceSchema = message(`${CORE}.ObjectReference`, [
  ["kind", 1, "string", "value", O],
  ["namespace", 2, "string", "value", O],
  ["name", 3, "string", "value", O],
  ["uid", 4, "string", "value", O],
  ["apiVersion", 5, "string", "value", O],
  ["resourceVersion", 6, "string", "value", O],
  ["fieldPath", 7, "string", "value", O],
]);

// ---- discovery/v1 EndpointSlice ----

export const EndpointConditionsSchema = message(`${DISCOVERY}.EndpointConditions`, [
  ["ready", 1, "bool", "pointer", O],
  ["serving", 2, "bool", "pointer", O],
  ["terminating", 3, "bool", "pointer", O],
]);

export const ForZoneSchema = message(`${DISCOVERY}.ForZone`, [["name", 1, "string", "value"]]);
export const ForNodeSchema = message(`${DISCOVERY}.ForNode`, [["name", 1, "string", "value"]]);

export const EndpointHintsSchema = message(`${DISCOVERY}.EndpointHints`, [
  ["forZones", 1, ForZoneSchema, "slice", O],
  ["forNodes", 2, ForNodeSchema, "slice", O],
]);

export const EndpointSchema = message(`${DISCOVERY}.Endpoint`, [
  ["addresses", 1, "string", "slice"],
  ["conditions", 2, EndpointConditionsSchema, "value", O],
  ["hostname", 3, "string", "pointer", O],
  ["targetRef", 4, ObjectReferenceSchema, "pointer", O],
  ["deprecatedTopology", 5, "string", "map", O],
  ["nodeName", 6, "string", "pointer", O],
  ["zone", 7, "string", "pointer", O],
  ["hints", 8, EndpointHintsSchema, "pointer", O],
]);

export const EndpointSlicePortSchema = message(`${DISCOVERY}.EndpointPort`, [
  ["name", 1, "string", "pointer", O],
  ["protocol", 2, "string", "pointer", O],
  ["port", 3, "int32", "pointer", O],
  ["appProtocol", 4, "string", "pointer", O],
]);

const TYPE_META: readonly FieldSpec[] = [
  ["kind", 0, "string", "value", O],
  ["apiVersion", 0, "string", "value", O],
];

export const EndpointSliceSchema = message(`${DISCOVERY}.EndpointSlice`, [
  ...TYPE_META,
  ["metadata", 1, ObjectMetaSchema, "value", O],
  ["addressType", 4, "string", "value"],
  ["endpoints", 2, EndpointSchema, "slice"],
  ["ports", 3, EndpointSlicePortSchema, "slice"],
]);

// ---- core/v1 Endpoints ----

export const EndpointAddressSchema = message(`${CORE}.EndpointAddress`, [
  ["ip", 1, "string", "value"],
  ["hostname", 3, "string", "value", O],
  ["nodeName", 4, "string", "pointer", O],
  ["targetRef", 2, ObjectReferenceSchema, "pointer", O],
]);

export const EndpointPortSchema = message(`${CORE}.EndpointPort`, [
  ["name", 1, "string", "value", O],
  ["port", 2, "int32", "value"],
  ["protocol", 3, "string", "value", O],
  ["appProtocol", 4, "string", "pointer", O],
]);

export const EndpointSubsetSchema = message(`${CORE}.EndpointSubset`, [
  ["addresses", 1, EndpointAddressSchema, "slice", O],
  ["notReadyAddresses", 2, EndpointAddressSchema, "slice", O],
  ["ports", 3, EndpointPortSchema, "slice", O],
]);

export const EndpointsSchema = message(`${CORE}.Endpoints`, [
  ...TYPE_META,
  ["metadata", 1, ObjectMetaSchema, "value", O],
  ["subsets", 2, EndpointSubsetSchema, "slice", O],
]);

// ---- core/v1 Service ----

export const ClientIPConfigSchema = message(`${CORE}.ClientIPConfig`, [["timeoutSeconds", 1, "int32", "pointer", O]]);

export const SessionAffinityConfigSchema = message(`${CORE}.SessionAffinityConfig`, [["clientIP", 1, ClientIPConfigSchema, "pointer", O]]);

export const ServicePortSchema = message(`${CORE}.ServicePort`, [
  ["name", 1, "string", "value", O],
  ["protocol", 2, "string", "value", O],
  ["appProtocol", 6, "string", "pointer", O],
  ["port", 3, "int32", "value"],
  ["targetPort", 4, "intOrString", "value", O],
  ["nodePort", 5, "int32", "value", O],
]);

export const ServiceSpecSchema = message(`${CORE}.ServiceSpec`, [
  ["ports", 1, ServicePortSchema, "slice", O],
  ["selector", 2, "string", "map", O],
  ["clusterIP", 3, "string", "value", O],
  ["clusterIPs", 18, "string", "slice", O],
  ["type", 4, "string", "value", O],
  ["externalIPs", 5, "string", "slice", O],
  ["sessionAffinity", 7, "string", "value", O],
  ["loadBalancerIP", 8, "string", "value", O],
  ["loadBalancerSourceRanges", 9, "string", "slice", O],
  ["externalName", 10, "string", "value", O],
  ["externalTrafficPolicy", 11, "string", "value", O],
  ["healthCheckNodePort", 12, "int32", "value", O],
  ["publishNotReadyAddresses", 13, "bool", "value", O],
  ["sessionAffinityConfig", 14, SessionAffinityConfigSchema, "pointer", O],
  ["ipFamilies", 19, "string", "slice", O],
  ["ipFamilyPolicy", 17, "string", "pointer", O],
  ["allocateLoadBalancerNodePorts", 20, "bool", "pointer", O],
  ["loadBalancerClass", 21, "string", "pointer", O],
  ["internalTrafficPolicy", 22, "string", "pointer", O],
  ["trafficDistribution", 23, "string", "pointer", O],
]);

export const PortStatusSchema = message(`${CORE}.PortStatus`, [
  ["port", 1, "int32", "value"],
  ["protocol", 2, "string", "value"],
  ["error", 3, "string", "pointer", O],
]);

export const LoadBalancerIngressSchema = message(`${CORE}.LoadBalancerIngress`, [
  ["ip", 1, "string", "value", O],
  ["hostname", 2, "string", "value", O],
  ["ipMode", 3, "string", "pointer", O],
  ["ports", 4, PortStatusSchema, "slice", O],
]);

export const LoadBalancerStatusSchema = message(`${CORE}.LoadBalancerStatus`, [["ingress", 1, LoadBalancerIngressSchema, "slice", O]]);

export const ServiceStatusSchema = message(`${CORE}.ServiceStatus`, [
  ["loadBalancer", 1, LoadBalancerStatusSchema, "value", O],
  ["conditions", 2, ConditionSchema, "slice", O],
]);

export const ServiceSchema = message(`${CORE}.Service`, [
  ...TYPE_META,
  ["metadata", 1, ObjectMetaSchema, "value", O],
  ["spec", 2, ServiceSpecSchema, "value", O],
  ["status", 3, ServiceStatusSchema, "value", O],
]);

// ---- core/v1 Pod ----

export const LocalObjectReferenceSchema = message(`${CORE}.LocalObjectReference`, [["name", 1, "string", "value", O]]);

export const ObjectFieldSelectorSchema = message(`${CORE}.ObjectFieldSelector`, [
  ["apiVersion", 1, "string", "value", O],
  ["fieldPath", 2, "string", "value"],
]);

export const KeyToPathSchema = message(`${CORE}.KeyToPath`, [
  ["key", 1, "string", "value"],
  ["path", 2, "string", "value"],
  ["mode", 3, "int32", "pointer", O],
]);

export const DownwardAPIVolumeFileSchema = message(`${CORE}.DownwardAPIVolumeFile`, [
  ["path", 1, "string", "value"],
  ["fieldRef", 2, ObjectFieldSelectorSchema, "pointer", O],
  ["mode", 4, "int32", "pointer", O],
]);

export const EmptyDirVolumeSourceSchema = message(`${CORE}.EmptyDirVolumeSource`, [
  ["medium", 1, "string", "value", O],
  ["sizeLimit", 2, "quantity", "pointer", O],
]);

export const SecretVolumeSourceSchema = message(`${CORE}.SecretVolumeSource`, [
  ["secretName", 1, "string", "value", O],
  ["items", 2, KeyToPathSchema, "slice", O],
  ["defaultMode", 3, "int32", "pointer", O],
  ["optional", 4, "bool", "pointer", O],
]);

export const ConfigMapVolumeSourceSchema: MessageSchema = {
  name: `${CORE}.ConfigMapVolumeSource`,
  fields: [
    inline("localObjectReference", 1, LocalObjectReferenceSchema),
    ...fields([
      ["items", 2, KeyToPathSchema, "slice", O],
      ["defaultMode", 3, "int32", "pointer", O],
      ["optional", 4, "bool", "pointer", O],
    ]),
  ],
};

export const SecretProjectionSchema: MessageSchema = {
  name: `${CORE}.SecretProjection`,
  fields: [
    inline("localObjectReference", 1, LocalObjectReferenceSchema),
    ...fields([
      ["items", 2, KeyToPathSchema, "slice", O],
      ["optional", 4, "bool", "pointer", O],
    ]),
  ],
};

export const ConfigMapProjectionSchema: MessageSchema = {
  name: `${CORE}.ConfigMapProjection`,
  fields: [
    inline("localObjectReference", 1, LocalObjectReferenceSchema),
    ...fields([
      ["items", 2, KeyToPathSchema, "slice", O],
      ["optional", 4, "bool", "pointer", O],
    ]),
  ],
};

export const DownwardAPIProjectionSchema = message(`${CORE}.DownwardAPIProjection`, [["items", 1, DownwardAPIVolumeFileSchema, "slice", O]]);

export const ServiceAccountTokenProjectionSchema = message(`${CORE}.ServiceAccountTokenProjection`, [
  ["audience", 1, "string", "value", O],
  ["expirationSeconds", 2, "int64", "pointer", O],
  ["path", 3, "string", "value"],
]);

export const VolumeProjectionSchema = message(`${CORE}.VolumeProjection`, [
  ["secret", 1, SecretProjectionSchema, "pointer", O],
  ["downwardAPI", 2, DownwardAPIProjectionSchema, "pointer", O],
  ["configMap", 3, ConfigMapProjectionSchema, "pointer", O],
  ["serviceAccountToken", 4, ServiceAccountTokenProjectionSchema, "pointer", O],
]);

export const ProjectedVolumeSourceSchema = message(`${CORE}.ProjectedVolumeSource`, [
  ["sources", 1, VolumeProjectionSchema, "slice"],
  ["defaultMode", 2, "int32", "pointer", O],
]);

// Go field order of VolumeSource; only these four of its 30 volume types are modelled.
export const VolumeSourceSchema = message(`${CORE}.VolumeSource`, [
  ["emptyDir", 2, EmptyDirVolumeSourceSchema, "pointer", O],
  ["secret", 6, SecretVolumeSourceSchema, "pointer", O],
  ["configMap", 19, ConfigMapVolumeSourceSchema, "pointer", O],
  ["projected", 26, ProjectedVolumeSourceSchema, "pointer", O],
]);

export const VolumeSchema: MessageSchema = {
  name: `${CORE}.Volume`,
  fields: [...fields([["name", 1, "string", "value"]]), inline("volumeSource", 2, VolumeSourceSchema)],
};

export const ContainerPortSchema = message(`${CORE}.ContainerPort`, [
  ["name", 1, "string", "value", O],
  ["hostPort", 2, "int32", "value", O],
  ["containerPort", 3, "int32", "value"],
  ["protocol", 4, "string", "value", O],
  ["hostIP", 5, "string", "value", O],
]);

function keySelector(name: string): MessageSchema {
  return {
    name,
    fields: [
      inline("localObjectReference", 1, LocalObjectReferenceSchema),
      ...fields([
        ["key", 2, "string", "value"],
        ["optional", 3, "bool", "pointer", O],
      ]),
    ],
  };
}

export const ConfigMapKeySelectorSchema = keySelector(`${CORE}.ConfigMapKeySelector`);
export const SecretKeySelectorSchema = keySelector(`${CORE}.SecretKeySelector`);

export const EnvVarSourceSchema = message(`${CORE}.EnvVarSource`, [
  ["fieldRef", 1, ObjectFieldSelectorSchema, "pointer", O],
  ["configMapKeyRef", 3, ConfigMapKeySelectorSchema, "pointer", O],
  ["secretKeyRef", 4, SecretKeySelectorSchema, "pointer", O],
]);

export const EnvVarSchema = message(`${CORE}.EnvVar`, [
  ["name", 1, "string", "value"],
  ["value", 2, "string", "value", O],
  ["valueFrom", 3, EnvVarSourceSchema, "pointer", O],
]);

export const ResourceRequirementsSchema = message(`${CORE}.ResourceRequirements`, [
  ["limits", 1, "quantity", "map", O],
  ["requests", 2, "quantity", "map", O],
]);

export const VolumeMountSchema = message(`${CORE}.VolumeMount`, [
  ["name", 1, "string", "value"],
  ["readOnly", 2, "bool", "value", O],
  ["recursiveReadOnly", 7, "string", "pointer", O],
  ["mountPath", 3, "string", "value"],
  ["subPath", 4, "string", "value", O],
  ["mountPropagation", 5, "string", "pointer", O],
  ["subPathExpr", 6, "string", "value", O],
  ["bindMountOptions", 8, "string", "slice", O],
]);

export const ExecActionSchema = message(`${CORE}.ExecAction`, [["command", 1, "string", "slice", O]]);

export const HTTPHeaderSchema = message(`${CORE}.HTTPHeader`, [
  ["name", 1, "string", "value"],
  ["value", 2, "string", "value"],
]);

export const HTTPGetActionSchema = message(`${CORE}.HTTPGetAction`, [
  ["path", 1, "string", "value", O],
  ["port", 2, "intOrString", "value"],
  ["host", 3, "string", "value", O],
  ["scheme", 4, "string", "value", O],
  ["httpHeaders", 5, HTTPHeaderSchema, "slice", O],
  ["protocol", 6, "string", "pointer", O],
]);

export const TCPSocketActionSchema = message(`${CORE}.TCPSocketAction`, [
  ["port", 1, "intOrString", "value"],
  ["host", 2, "string", "value", O],
]);

export const ProbeHandlerSchema = message(`${CORE}.ProbeHandler`, [
  ["exec", 1, ExecActionSchema, "pointer", O],
  ["httpGet", 2, HTTPGetActionSchema, "pointer", O],
  ["tcpSocket", 3, TCPSocketActionSchema, "pointer", O],
]);

export const ProbeSchema: MessageSchema = {
  name: `${CORE}.Probe`,
  fields: [
    inline("handler", 1, ProbeHandlerSchema),
    ...fields([
      ["initialDelaySeconds", 2, "int32", "value", O],
      ["timeoutSeconds", 3, "int32", "value", O],
      ["periodSeconds", 4, "int32", "value", O],
      ["successThreshold", 5, "int32", "value", O],
      ["failureThreshold", 6, "int32", "value", O],
      ["terminationGracePeriodSeconds", 7, "int64", "pointer", O],
    ]),
  ],
};

export const CapabilitiesSchema = message(`${CORE}.Capabilities`, [
  ["add", 1, "string", "slice", O],
  ["drop", 2, "string", "slice", O],
]);

export const SeccompProfileSchema = message(`${CORE}.SeccompProfile`, [
  ["type", 1, "string", "value"],
  ["localhostProfile", 2, "string", "pointer", O],
]);

export const SecurityContextSchema = message(`${CORE}.SecurityContext`, [
  ["capabilities", 1, CapabilitiesSchema, "pointer", O],
  ["privileged", 2, "bool", "pointer", O],
  ["runAsUser", 4, "int64", "pointer", O],
  ["runAsGroup", 8, "int64", "pointer", O],
  ["runAsNonRoot", 5, "bool", "pointer", O],
  ["readOnlyRootFilesystem", 6, "bool", "pointer", O],
  ["allowPrivilegeEscalation", 7, "bool", "pointer", O],
  ["procMount", 9, "string", "pointer", O],
  ["seccompProfile", 11, SeccompProfileSchema, "pointer", O],
]);

export const ContainerSchema = message(`${CORE}.Container`, [
  ["name", 1, "string", "value"],
  ["image", 2, "string", "value", O],
  ["command", 3, "string", "slice", O],
  ["args", 4, "string", "slice", O],
  ["workingDir", 5, "string", "value", O],
  ["ports", 6, ContainerPortSchema, "slice", O],
  ["env", 7, EnvVarSchema, "slice", O],
  ["resources", 8, ResourceRequirementsSchema, "value", O],
  ["restartPolicy", 24, "string", "pointer", O],
  ["volumeMounts", 9, VolumeMountSchema, "slice", O],
  ["livenessProbe", 10, ProbeSchema, "pointer", O],
  ["readinessProbe", 11, ProbeSchema, "pointer", O],
  ["startupProbe", 22, ProbeSchema, "pointer", O],
  ["terminationMessagePath", 13, "string", "value", O],
  ["terminationMessagePolicy", 20, "string", "value", O],
  ["imagePullPolicy", 14, "string", "value", O],
  ["securityContext", 15, SecurityContextSchema, "pointer", O],
  ["stdin", 16, "bool", "value", O],
  ["stdinOnce", 17, "bool", "value", O],
  ["tty", 18, "bool", "value", O],
]);

export const PodSecurityContextSchema = message(`${CORE}.PodSecurityContext`, [
  ["runAsUser", 2, "int64", "pointer", O],
  ["runAsGroup", 6, "int64", "pointer", O],
  ["runAsNonRoot", 3, "bool", "pointer", O],
  ["supplementalGroups", 4, "int64", "slice", O],
  ["supplementalGroupsPolicy", 12, "string", "pointer", O],
  ["fsGroup", 5, "int64", "pointer", O],
  ["fsGroupChangePolicy", 9, "string", "pointer", O],
  ["seccompProfile", 10, SeccompProfileSchema, "pointer", O],
]);

export const TolerationSchema = message(`${CORE}.Toleration`, [
  ["key", 1, "string", "value", O],
  ["operator", 2, "string", "value", O],
  ["value", 3, "string", "value", O],
  ["effect", 4, "string", "value", O],
  ["tolerationSeconds", 5, "int64", "pointer", O],
]);

export const PodSpecSchema = message(`${CORE}.PodSpec`, [
  ["volumes", 1, VolumeSchema, "slice", O],
  ["initContainers", 20, ContainerSchema, "slice", O],
  ["containers", 2, ContainerSchema, "slice"],
  ["restartPolicy", 3, "string", "value", O],
  ["terminationGracePeriodSeconds", 4, "int64", "pointer", O],
  ["activeDeadlineSeconds", 5, "int64", "pointer", O],
  ["dnsPolicy", 6, "string", "value", O],
  ["nodeSelector", 7, "string", "map", O],
  ["serviceAccountName", 8, "string", "value", O],
  ["serviceAccount", 9, "string", "value", O],
  ["automountServiceAccountToken", 21, "bool", "pointer", O],
  ["nodeName", 10, "string", "value", O],
  ["hostNetwork", 11, "bool", "value", O],
  ["hostPID", 12, "bool", "value", O],
  ["hostIPC", 13, "bool", "value", O],
  ["shareProcessNamespace", 27, "bool", "pointer", O],
  ["securityContext", 14, PodSecurityContextSchema, "pointer", O],
  ["imagePullSecrets", 15, LocalObjectReferenceSchema, "slice", O],
  ["hostname", 16, "string", "value", O],
  ["subdomain", 17, "string", "value", O],
  ["schedulerName", 19, "string", "value", O],
  ["tolerations", 22, TolerationSchema, "slice", O],
  ["priorityClassName", 24, "string", "value", O],
  ["priority", 25, "int32", "pointer", O],
  ["runtimeClassName", 29, "string", "pointer", O],
  ["enableServiceLinks", 30, "bool", "pointer", O],
  ["preemptionPolicy", 31, "string", "pointer", O],
  ["setHostnameAsFQDN", 35, "bool", "pointer", O],
  ["hostUsers", 37, "bool", "pointer", O],
]);

export const PodConditionSchema = message(`${CORE}.PodCondition`, [
  ["type", 1, "string", "value"],
  ["observedGeneration", 7, "int64", "value", O],
  ["status", 2, "string", "value"],
  ["lastProbeTime", 3, "time", "value", O],
  ["lastTransitionTime", 4, "time", "value", O],
  ["reason", 5, "string", "value", O],
  ["message", 6, "string", "value", O],
]);

export const HostIPSchema = message(`${CORE}.HostIP`, [["ip", 1, "string", "value"]]);
export const PodIPSchema = message(`${CORE}.PodIP`, [["ip", 1, "string", "value"]]);

export const ContainerStateWaitingSchema = message(`${CORE}.ContainerStateWaiting`, [
  ["reason", 1, "string", "value", O],
  ["message", 2, "string", "value", O],
]);

export const ContainerStateRunningSchema = message(`${CORE}.ContainerStateRunning`, [["startedAt", 1, "time", "value", O]]);

export const ContainerStateTerminatedSchema = message(`${CORE}.ContainerStateTerminated`, [
  ["exitCode", 1, "int32", "value"],
  ["signal", 2, "int32", "value", O],
  ["reason", 3, "string", "value", O],
  ["message", 4, "string", "value", O],
  ["startedAt", 5, "time", "value", O],
  ["finishedAt", 6, "time", "value", O],
  ["containerID", 7, "string", "value", O],
]);

export const ContainerStateSchema = message(`${CORE}.ContainerState`, [
  ["waiting", 1, ContainerStateWaitingSchema, "pointer", O],
  ["running", 2, ContainerStateRunningSchema, "pointer", O],
  ["terminated", 3, ContainerStateTerminatedSchema, "pointer", O],
]);

export const VolumeMountStatusSchema = message(`${CORE}.VolumeMountStatus`, [
  ["name", 1, "string", "value"],
  ["mountPath", 2, "string", "value"],
  ["readOnly", 3, "bool", "value", O],
  ["recursiveReadOnly", 4, "string", "pointer", O],
]);

export const LinuxContainerUserSchema = message(`${CORE}.LinuxContainerUser`, [
  ["uid", 1, "int64", "value"],
  ["gid", 2, "int64", "value"],
  ["supplementalGroups", 3, "int64", "slice", O],
]);

export const ContainerUserSchema = message(`${CORE}.ContainerUser`, [["linux", 1, LinuxContainerUserSchema, "pointer", O]]);

export const ContainerStatusSchema = message(`${CORE}.ContainerStatus`, [
  ["name", 1, "string", "value"],
  ["state", 2, ContainerStateSchema, "value", O],
  ["lastState", 3, ContainerStateSchema, "value", O],
  ["ready", 4, "bool", "value"],
  ["restartCount", 5, "int32", "value"],
  ["image", 6, "string", "value"],
  ["imageID", 7, "string", "value"],
  ["containerID", 8, "string", "value", O],
  ["started", 9, "bool", "pointer", O],
  ["allocatedResources", 10, "quantity", "map", O],
  ["resources", 11, ResourceRequirementsSchema, "pointer", O],
  ["volumeMounts", 12, VolumeMountStatusSchema, "slice", O],
  ["user", 13, ContainerUserSchema, "pointer", O],
  ["stopSignal", 15, "string", "pointer", O],
]);

export const PodStatusSchema = message(`${CORE}.PodStatus`, [
  ["observedGeneration", 17, "int64", "value", O],
  ["phase", 1, "string", "value", O],
  ["conditions", 2, PodConditionSchema, "slice", O],
  ["message", 3, "string", "value", O],
  ["reason", 4, "string", "value", O],
  ["nominatedNodeName", 11, "string", "value", O],
  ["hostIP", 5, "string", "value", O],
  ["hostIPs", 16, HostIPSchema, "slice", O],
  ["podIP", 6, "string", "value", O],
  ["podIPs", 12, PodIPSchema, "slice", O],
  ["startTime", 7, "time", "pointer", O],
  ["initContainerStatuses", 10, ContainerStatusSchema, "slice", O],
  ["containerStatuses", 8, ContainerStatusSchema, "slice", O],
  ["qosClass", 9, "string", "value", O],
  ["resize", 14, "string", "value", O],
]);

export const PodSchema = message(`${CORE}.Pod`, [
  ...TYPE_META,
  ["metadata", 1, ObjectMetaSchema, "value", O],
  ["spec", 2, PodSpecSchema, "value", O],
  ["status", 3, PodStatusSchema, "value", O],
]);

// ---- core/v1 Node (kubernetes/api core/v1/types.go Node, NodeSpec, NodeStatus) ----

export const TaintSchema = message(`${CORE}.Taint`, [
  ["key", 1, "string", "value"],
  ["value", 2, "string", "value", O],
  ["effect", 3, "string", "value"],
  ["timeAdded", 4, "time", "pointer", O],
]);

// Not modelled: configSource (DynamicKubeletConfig, removed in 1.24), podPreemptionPolicy (alpha); both pointers.
export const NodeSpecSchema = message(`${CORE}.NodeSpec`, [
  ["podCIDR", 1, "string", "value", O],
  ["podCIDRs", 7, "string", "slice", O],
  ["providerID", 3, "string", "value", O],
  ["unschedulable", 4, "bool", "value", O],
  ["taints", 5, TaintSchema, "slice", O],
  ["externalID", 2, "string", "value", O],
]);

export const NodeConditionSchema = message(`${CORE}.NodeCondition`, [
  ["type", 1, "string", "value"],
  ["status", 2, "string", "value"],
  ["lastHeartbeatTime", 3, "time", "value", O],
  ["lastTransitionTime", 4, "time", "value", O],
  ["reason", 5, "string", "value", O],
  ["message", 6, "string", "value", O],
]);

export const NodeAddressSchema = message(`${CORE}.NodeAddress`, [
  ["type", 1, "string", "value"],
  ["address", 2, "string", "value"],
]);

// JSON "Port", capitalised upstream for backward compatibility.
export const DaemonEndpointSchema = message(`${CORE}.DaemonEndpoint`, [["Port", 1, "int32", "value"]]);

export const NodeDaemonEndpointsSchema = message(`${CORE}.NodeDaemonEndpoints`, [["kubeletEndpoint", 1, DaemonEndpointSchema, "value", O]]);

export const NodeSwapStatusSchema = message(`${CORE}.NodeSwapStatus`, [["capacity", 1, "int64", "pointer", O]]);

export const NodeSystemInfoSchema = message(`${CORE}.NodeSystemInfo`, [
  ["machineID", 1, "string", "value"],
  ["systemUUID", 2, "string", "value"],
  ["bootID", 3, "string", "value"],
  ["kernelVersion", 4, "string", "value"],
  ["osImage", 5, "string", "value"],
  ["containerRuntimeVersion", 6, "string", "value"],
  ["kubeletVersion", 7, "string", "value"],
  ["kubeProxyVersion", 8, "string", "value"],
  ["operatingSystem", 9, "string", "value"],
  ["architecture", 10, "string", "value"],
  ["swap", 11, NodeSwapStatusSchema, "pointer", O],
]);

export const ContainerImageSchema = message(`${CORE}.ContainerImage`, [
  ["names", 1, "string", "slice"],
  ["sizeBytes", 2, "int64", "value", O],
]);

export const AttachedVolumeSchema = message(`${CORE}.AttachedVolume`, [
  ["name", 1, "string", "value"],
  ["devicePath", 2, "string", "value"],
]);

export const NodeRuntimeHandlerFeaturesSchema = message(`${CORE}.NodeRuntimeHandlerFeatures`, [
  ["recursiveReadOnlyMounts", 1, "bool", "pointer", O],
  ["userNamespaces", 2, "bool", "pointer", O],
]);

export const NodeRuntimeHandlerSchema = message(`${CORE}.NodeRuntimeHandler`, [
  ["name", 1, "string", "value"],
  ["features", 2, NodeRuntimeHandlerFeaturesSchema, "pointer", O],
]);

export const NodeFeaturesSchema = message(`${CORE}.NodeFeatures`, [["supplementalGroupsPolicy", 1, "bool", "pointer", O]]);

// Not modelled: config (NodeConfigStatus, DynamicKubeletConfig, removed in 1.24), a pointer.
export const NodeStatusSchema = message(`${CORE}.NodeStatus`, [
  ["capacity", 1, "quantity", "map", O],
  ["allocatable", 2, "quantity", "map", O],
  ["phase", 3, "string", "value", O],
  ["conditions", 4, NodeConditionSchema, "slice", O],
  ["addresses", 5, NodeAddressSchema, "slice", O],
  ["daemonEndpoints", 6, NodeDaemonEndpointsSchema, "value", O],
  ["nodeInfo", 7, NodeSystemInfoSchema, "value", O],
  ["images", 8, ContainerImageSchema, "slice", O],
  ["volumesInUse", 9, "string", "slice", O],
  ["volumesAttached", 10, AttachedVolumeSchema, "slice", O],
  ["runtimeHandlers", 12, NodeRuntimeHandlerSchema, "slice", O],
  ["features", 13, NodeFeaturesSchema, "pointer", O],
  ["declaredFeatures", 14, "string", "slice", O],
]);

export const NodeSchema = message(`${CORE}.Node`, [
  ...TYPE_META,
  ["metadata", 1, ObjectMetaSchema, "value", O],
  ["spec", 2, NodeSpecSchema, "value", O],
  ["status", 3, NodeStatusSchema, "value", O],
]);

// ---- coordination/v1 Lease (kubernetes/api coordination/v1/types.go) ----

export const LeaseSpecSchema = message(`${COORDINATION}.LeaseSpec`, [
  ["holderIdentity", 1, "string", "pointer", O],
  ["leaseDurationSeconds", 2, "int32", "pointer", O],
  ["acquireTime", 3, "microTime", "pointer", O],
  ["renewTime", 4, "microTime", "pointer", O],
  ["leaseTransitions", 5, "int32", "pointer", O],
  ["strategy", 6, "string", "pointer", O],
  ["preferredHolder", 7, "string", "pointer", O],
]);

export const LeaseSchema = message(`${COORDINATION}.Lease`, [
  ...TYPE_META,
  ["metadata", 1, ObjectMetaSchema, "value", O],
  ["spec", 2, LeaseSpecSchema, "value", O],
]);

// ---- core/v1 Event (kubernetes/api core/v1/types.go Event; events.k8s.io/v1 Events are stored as these) ----

export const EventSourceSchema = message(`${CORE}.EventSource`, [
  ["component", 1, "string", "value", O],
  ["host", 2, "string", "value", O],
]);

export const EventSeriesSchema = message(`${CORE}.EventSeries`, [
  ["count", 1, "int32", "value", O],
  ["lastObservedTime", 2, "microTime", "value", O],
]);

// metadata and involvedObject have no omitempty; reportingComponent is the Go field ReportingController.
export const EventSchema = message(`${CORE}.Event`, [
  ...TYPE_META,
  ["metadata", 1, ObjectMetaSchema, "value"],
  ["involvedObject", 2, ObjectReferenceSchema, "value"],
  ["reason", 3, "string", "value", O],
  ["message", 4, "string", "value", O],
  ["source", 5, EventSourceSchema, "value", O],
  ["firstTimestamp", 6, "time", "value", O],
  ["lastTimestamp", 7, "time", "value", O],
  ["count", 8, "int32", "value", O],
  ["type", 9, "string", "value", O],
  ["eventTime", 10, "microTime", "value", O],
  ["series", 11, EventSeriesSchema, "pointer", O],
  ["action", 12, "string", "value", O],
  ["related", 13, ObjectReferenceSchema, "pointer", O],
  ["reportingComponent", 14, "string", "value"],
  ["reportingInstance", 15, "string", "value"],
]);

/** The schema of each modelled kind, and the apiVersion the apiserver serves it as. */
export const KIND_SCHEMAS = {
  EndpointSlice: { schema: EndpointSliceSchema, apiVersion: "discovery.k8s.io/v1" },
  Endpoints: { schema: EndpointsSchema, apiVersion: "v1" },
  Service: { schema: ServiceSchema, apiVersion: "v1" },
  Pod: { schema: PodSchema, apiVersion: "v1" },
  Node: { schema: NodeSchema, apiVersion: "v1" },
  Lease: { schema: LeaseSchema, apiVersion: "coordination.k8s.io/v1" },
  Event: { schema: EventSchema, apiVersion: "v1" },
} as const;

/** Every message schema reachable from the modelled kinds, each once. */
export function allMessageSchemas(): MessageSchema[] {
  const seen = new Set<MessageSchema>();
  const visit = (m: MessageSchema): void => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const f of m.fields) if (typeof f.type !== "string") visit(f.type);
  };
  for (const { schema } of Object.values(KIND_SCHEMAS)) visit(schema);
  return [...seen];
}
