/**
 * client-go's event broadcaster writing a controller's Events through that controller's own client
 * (record.NewBroadcaster -> watch.NewLongQueueBroadcaster(1000, DropIfChannelFull); StartRecordingToSink): one
 * goroutine writes them one at a time, each taking a token of the client's rate limiter like any other request, so
 * a controller that records an Event per object it touches spends part of its QPS on them. At most 1,000 wait; more
 * are dropped.
 */
import type { ApiClient } from "./api-client.js";

export const EVENT_QUEUE_LENGTH = 1000;

export class EventSink {
  written = 0;
  dropped = 0;
  private queued = 0;
  private busy = false;
  private readonly call = (): boolean => {
    this.written++;
    this.write();
    return true;
  };
  private readonly next = (): void => {
    this.queued--;
    if (this.queued > 0) this.client.run([this.call], this.next);
    else this.busy = false;
  };

  constructor(
    private readonly client: ApiClient,
    /** Stores one Event (etcd). */
    private readonly write: () => void,
  ) {}

  record(): void {
    if (this.queued >= EVENT_QUEUE_LENGTH) {
      this.dropped++;
      return;
    }
    this.queued++;
    if (!this.busy) {
      this.busy = true;
      this.client.run([this.call], this.next);
    }
  }
}
