import type { Ack, Outcome } from "./envelope.ts";

/** One device's answer, as the sender sees it. */
export type Answer = { socketId: string; device: string } & Outcome;

export interface DeliveryResult {
  id: string;
  user: string;
  /** Devices connected and signed in as the user when the envelope went out (Sower's count). */
  devices: number;
  /** Devices whose app took the envelope (handled or failed). */
  reached: number;
  /** Devices whose filter did not match, so their app never saw it. */
  filtered: number;
  /** Devices that did not answer before the deadline. */
  timedOut: number;
  answers: Answer[];
}

export type AnswerStatus = "accepted" | "duplicate" | "unknown";

interface Pending {
  user: string;
  devices: number;
  answers: Map<string, Answer>;
  finish: () => void;
}

/**
 * Envelopes waiting for their devices' answers. A delivery ends when every
 * device Sower counted has answered, or at its deadline, whichever is first.
 * It lives in this process's memory: see the README for several backends.
 */
export class Deliveries {
  private readonly open = new Map<string, Pending>();
  private readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Opens a delivery before its envelope is sent, so no answer can arrive unseen. */
  wait(id: string, user: string, devices: number): Promise<DeliveryResult> {
    return new Promise((resolve) => {
      const answers = new Map<string, Answer>();
      const finish = () => {
        clearTimeout(timer);
        this.open.delete(id);
        resolve(summarise(id, user, devices, [...answers.values()]));
      };
      const timer = setTimeout(finish, devices === 0 ? 0 : this.timeoutMs);
      this.open.set(id, { user, devices, answers, finish });
    });
  }

  /** Ends a delivery at once, e.g. when its envelope could not be sent. */
  cancel(id: string): void {
    this.open.get(id)?.finish();
  }

  /** Records a device's answer. Another user's delivery is "unknown", so ids reveal nothing. */
  answer(user: string, ack: Ack): AnswerStatus {
    const pending = this.open.get(ack.delivery);
    if (pending === undefined || pending.user !== user) return "unknown";
    if (pending.answers.has(ack.socketId)) return "duplicate";
    const { delivery: _, ...answer } = ack;
    pending.answers.set(ack.socketId, answer);
    if (pending.answers.size >= pending.devices) pending.finish();
    return "accepted";
  }
}

function summarise(id: string, user: string, devices: number, answers: Answer[]): DeliveryResult {
  const filtered = answers.filter((answer) => answer.outcome === "filtered").length;
  return {
    id,
    user,
    devices,
    reached: answers.length - filtered,
    filtered,
    // A device that signed in between the count and the send may answer too (README, "Races").
    timedOut: Math.max(0, devices - answers.length),
    answers,
  };
}
