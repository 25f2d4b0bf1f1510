/**
 * What kube-proxy programs on one node, as plain data: the input of the iptables and nftables rule generators
 * (./iptables.ts, ./nftables.ts), which write the rulesets kube-proxy's proxiers write for it.
 */

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface ProxyEndpoint {
  /** Pod IP. */
  ip: string;
  /** Target port on the pod. */
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** The endpoint's pod runs on the node being programmed. */
  local: boolean;
}

/** One Service port: kube-proxy's unit (its ServicePortName is namespace/name:portName). */
export interface ProxyServicePort {
  namespace: string;
  name: string;
  /** The Service port's name; "" for an unnamed single port. */
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** Set for NodePort / LoadBalancer Services. */
  nodePort?: number;
  /** externalTrafficPolicy / internalTrafficPolicy: Local. */
  externalTrafficLocal?: boolean;
  internalTrafficLocal?: boolean;
  /** spec.externalIPs (of this node's IP family). */
  externalIPs?: string[];
  /** status.loadBalancer.ingress IPs that kube-proxy programs (VIP mode, this node's IP family). */
  loadBalancerIPs?: string[];
  /** spec.loadBalancerSourceRanges (CIDRs; surrounding whitespace is tolerated, as upstream). */
  loadBalancerSourceRanges?: string[];
  /** spec.healthCheckNodePort: kube-proxy uses it only for externalTrafficPolicy: Local (the API sets it only then). */
  healthCheckNodePort?: number;
  /** sessionAffinity: ClientIP with this timeoutSeconds (upstream default 10800); unset = no affinity. */
  sessionAffinityTimeoutSeconds?: number;
  endpoints: ProxyEndpoint[];
}

export interface ProxyRuleset {
  /** The node's primary IP (for KUBE-NODEPORTS / local traffic detection). */
  nodeIP: string;
  /** Pod CIDR of the cluster (the local-traffic detector's `--cluster-cidr`), e.g. "10.0.0.0/8". */
  clusterCIDR: string;
  /**
   * The cluster's ServiceCIDRs (what kube-proxy learns from ServiceCIDR objects), e.g. ["172.30.0.0/16"].
   * The nftables proxier drops traffic to unallocated IPs in them; unset = no such rule.
   */
  serviceCIDRs?: string[];
  services: ProxyServicePort[];
}
