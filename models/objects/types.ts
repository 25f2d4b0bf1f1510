/**
 * Kubernetes API objects in their JSON shape (what `kubectl get -o json` prints), restricted to the fields the
 * sizers model. Field names and nesting follow kubernetes/api core/v1, discovery/v1 and coordination/v1 types.go
 * and kubernetes/apimachinery meta/v1 types.go (versions in k8s.proto). An absent optional field is Go's zero value
 * (non-pointer fields) or nil (pointers, slices, maps); the sizers treat an empty array or map like nil, as the
 * apiserver does after a protobuf round trip through etcd.
 *
 * Scalars: Time is an RFC 3339 string ("2026-01-01T00:00:00Z"); MicroTime one with microseconds
 * ("2026-01-01T00:00:00.123456Z"); Quantity its canonical string ("100m", "128Mi"); IntOrString a number or a
 * string.
 */

export type Time = string;
export type MicroTime = string;
export type Quantity = string;
export type IntOrString = number | string;

// ---- meta/v1 ----

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  selfLink?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: Time;
  deletionTimestamp?: Time;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

export interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: Time;
  fieldsType?: string;
  /** The field set as JSON (`{"f:metadata":{...}}`); stored verbatim as bytes. */
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface Condition {
  type?: string;
  status?: string;
  observedGeneration?: number;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

// ---- discovery/v1 ----

export interface EndpointSlice {
  kind: "EndpointSlice";
  apiVersion: "discovery.k8s.io/v1";
  metadata?: ObjectMeta;
  addressType?: string;
  endpoints?: Endpoint[];
  ports?: EndpointSlicePort[];
}

export interface Endpoint {
  addresses?: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  deprecatedTopology?: Record<string, string>;
  nodeName?: string;
  zone?: string;
  hints?: EndpointHints;
}

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface EndpointHints {
  forZones?: { name?: string }[];
  forNodes?: { name?: string }[];
}

/** discovery/v1 EndpointPort: every field is a pointer. */
export interface EndpointSlicePort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

// ---- core/v1 Endpoints ----

export interface Endpoints {
  kind: "Endpoints";
  apiVersion: "v1";
  metadata?: ObjectMeta;
  subsets?: EndpointSubset[];
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface EndpointAddress {
  ip?: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

/** core/v1 EndpointPort: name, port, protocol are values (always written); appProtocol a pointer. */
export interface EndpointPort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

// ---- core/v1 Service ----

export interface Service {
  kind: "Service";
  apiVersion: "v1";
  metadata?: ObjectMeta;
  spec?: ServiceSpec;
  status?: ServiceStatus;
}

export interface ServiceSpec {
  ports?: ServicePort[];
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  type?: string;
  externalIPs?: string[];
  sessionAffinity?: string;
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  externalName?: string;
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  publishNotReadyAddresses?: boolean;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
  internalTrafficPolicy?: string;
  trafficDistribution?: string;
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port?: number;
  targetPort?: IntOrString;
  nodePort?: number;
}

export interface ServiceStatus {
  loadBalancer?: LoadBalancerStatus;
  conditions?: Condition[];
}

export interface LoadBalancerStatus {
  ingress?: LoadBalancerIngress[];
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: string;
  ports?: PortStatus[];
}

export interface PortStatus {
  port?: number;
  protocol?: string;
  error?: string;
}

// ---- core/v1 Pod ----

export interface Pod {
  kind: "Pod";
  apiVersion: "v1";
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: PodStatus;
}

export interface PodSpec {
  volumes?: Volume[];
  initContainers?: Container[];
  containers?: Container[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  dnsPolicy?: string;
  nodeSelector?: Record<string, string>;
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  nodeName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  shareProcessNamespace?: boolean;
  securityContext?: PodSecurityContext;
  imagePullSecrets?: LocalObjectReference[];
  hostname?: string;
  subdomain?: string;
  schedulerName?: string;
  tolerations?: Toleration[];
  priorityClassName?: string;
  priority?: number;
  runtimeClassName?: string;
  enableServiceLinks?: boolean;
  preemptionPolicy?: string;
  setHostnameAsFQDN?: boolean;
  hostUsers?: boolean;
}

/** Volume with its VolumeSource inlined (JSON `{"name":..., "projected": {...}}`). */
export interface Volume {
  name?: string;
  emptyDir?: { medium?: string; sizeLimit?: Quantity };
  secret?: { secretName?: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  configMap?: { name?: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  projected?: { sources?: VolumeProjection[]; defaultMode?: number };
}

export interface VolumeProjection {
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path?: string };
}

export interface KeyToPath {
  key?: string;
  path?: string;
  mode?: number;
}

export interface DownwardAPIVolumeFile {
  path?: string;
  fieldRef?: ObjectFieldSelector;
  mode?: number;
}

export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath?: string;
}

export interface LocalObjectReference {
  name?: string;
}

export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
  restartPolicy?: string;
  volumeMounts?: VolumeMount[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  imagePullPolicy?: string;
  securityContext?: SecurityContext;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

export interface ContainerPort {
  name?: string;
  hostPort?: number;
  containerPort?: number;
  protocol?: string;
  hostIP?: string;
}

export interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: {
    fieldRef?: ObjectFieldSelector;
    configMapKeyRef?: KeySelector;
    secretKeyRef?: KeySelector;
  };
}

/** ConfigMapKeySelector and SecretKeySelector (LocalObjectReference inlined). */
export interface KeySelector {
  name?: string;
  key?: string;
  optional?: boolean;
}

export interface ResourceRequirements {
  limits?: Record<string, Quantity>;
  requests?: Record<string, Quantity>;
}

export interface VolumeMount {
  name?: string;
  readOnly?: boolean;
  recursiveReadOnly?: string;
  mountPath?: string;
  subPath?: string;
  mountPropagation?: string;
  subPathExpr?: string;
  bindMountOptions?: string[];
}

/** Probe with its ProbeHandler inlined. */
export interface Probe {
  exec?: { command?: string[] };
  httpGet?: {
    path?: string;
    port?: IntOrString;
    host?: string;
    scheme?: string;
    httpHeaders?: { name?: string; value?: string }[];
    protocol?: string;
  };
  tcpSocket?: { port?: IntOrString; host?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface SecurityContext {
  capabilities?: { add?: string[]; drop?: string[] };
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  procMount?: string;
  seccompProfile?: SeccompProfile;
}

export interface SeccompProfile {
  type?: string;
  localhostProfile?: string;
}

export interface PodSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  supplementalGroupsPolicy?: string;
  fsGroup?: number;
  fsGroupChangePolicy?: string;
  seccompProfile?: SeccompProfile;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface PodStatus {
  observedGeneration?: number;
  phase?: string;
  conditions?: PodCondition[];
  message?: string;
  reason?: string;
  nominatedNodeName?: string;
  hostIP?: string;
  hostIPs?: { ip?: string }[];
  podIP?: string;
  podIPs?: { ip?: string }[];
  startTime?: Time;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  qosClass?: string;
  resize?: string;
}

export interface PodCondition {
  type?: string;
  observedGeneration?: number;
  status?: string;
  lastProbeTime?: Time;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

export interface ContainerStatus {
  name?: string;
  state?: ContainerState;
  lastState?: ContainerState;
  ready?: boolean;
  restartCount?: number;
  image?: string;
  imageID?: string;
  containerID?: string;
  started?: boolean;
  allocatedResources?: Record<string, Quantity>;
  resources?: ResourceRequirements;
  volumeMounts?: { name?: string; mountPath?: string; readOnly?: boolean; recursiveReadOnly?: string }[];
  user?: { linux?: { uid?: number; gid?: number; supplementalGroups?: number[] } };
  stopSignal?: string;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: Time };
  terminated?: {
    exitCode?: number;
    signal?: number;
    reason?: string;
    message?: string;
    startedAt?: Time;
    finishedAt?: Time;
    containerID?: string;
  };
}

// ---- core/v1 Node ----

export interface Node {
  kind: "Node";
  apiVersion: "v1";
  metadata?: ObjectMeta;
  spec?: NodeSpec;
  status?: NodeStatus;
}

export interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  taints?: Taint[];
  /** Go DoNotUseExternalID, deprecated. */
  externalID?: string;
}

export interface Taint {
  key?: string;
  value?: string;
  effect?: string;
  timeAdded?: Time;
}

export interface NodeStatus {
  capacity?: Record<string, Quantity>;
  allocatable?: Record<string, Quantity>;
  phase?: string;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  /** JSON key "Port" is capitalised upstream. */
  daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  nodeInfo?: NodeSystemInfo;
  images?: ContainerImage[];
  volumesInUse?: string[];
  volumesAttached?: { name?: string; devicePath?: string }[];
  runtimeHandlers?: NodeRuntimeHandler[];
  features?: { supplementalGroupsPolicy?: boolean };
  declaredFeatures?: string[];
}

export interface NodeCondition {
  type?: string;
  status?: string;
  lastHeartbeatTime?: Time;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

export interface NodeAddress {
  type?: string;
  address?: string;
}

export interface NodeSystemInfo {
  machineID?: string;
  systemUUID?: string;
  bootID?: string;
  kernelVersion?: string;
  osImage?: string;
  containerRuntimeVersion?: string;
  kubeletVersion?: string;
  kubeProxyVersion?: string;
  operatingSystem?: string;
  architecture?: string;
  swap?: { capacity?: number };
}

export interface ContainerImage {
  names?: string[];
  sizeBytes?: number;
}

export interface NodeRuntimeHandler {
  name?: string;
  features?: { recursiveReadOnlyMounts?: boolean; userNamespaces?: boolean };
}

// ---- coordination/v1 Lease ----

export interface Lease {
  kind: "Lease";
  apiVersion: "coordination.k8s.io/v1";
  metadata?: ObjectMeta;
  spec?: LeaseSpec;
}

/** Every field is a pointer. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: MicroTime;
  renewTime?: MicroTime;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}

// ---- core/v1 Event ----

export interface Event {
  kind: "Event";
  apiVersion: "v1";
  metadata?: ObjectMeta;
  involvedObject?: ObjectReference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: Time;
  lastTimestamp?: Time;
  count?: number;
  type?: string;
  eventTime?: MicroTime;
  series?: { count?: number; lastObservedTime?: MicroTime };
  action?: string;
  related?: ObjectReference;
  /** Go ReportingController. */
  reportingComponent?: string;
  reportingInstance?: string;
}

// ---- the modelled objects ----

export type KubeObject = EndpointSlice | Endpoints | Service | Pod | Node | Lease | Event;
export type KubeKind = KubeObject["kind"];
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";
