/**
 * The apiserver's side of a write before etcd sees it: the request body limit. `MaxRequestBodyBytes` (3 MiB,
 * staging/src/k8s.io/apiserver/pkg/server/options/server_run_options.go: "1.5MB is the recommended client request
 * size ... A request body might be encoded in json, and is converted to proto when persisted in etcd, so we allow
 * 2x") is checked by the handlers before decoding; a larger create or update is refused (413) and never reaches etcd. Controllers send
 * protobuf bodies (kube-controller-manager's --kube-api-content-type), so the body is the object's protobuf size.
 */
import type { Etcd, EtcdKind, WriteOutcome } from "./etcd.js";

export type StoreOutcome = WriteOutcome | "body-too-large";

export class ApiStore {
  rejectedTooLarge = 0;

  constructor(
    readonly etcd: Etcd,
    private readonly maxRequestBodyBytes: number,
  ) {}

  /** A create or update whose request body is `body` bytes and whose stored value is `stored` bytes. */
  write(key: string, body: number, stored: number, kind: EtcdKind): StoreOutcome {
    if (body > this.maxRequestBodyBytes) {
      this.rejectedTooLarge++;
      return "body-too-large";
    }
    return this.etcd.write(key, stored, kind);
  }
}
