// What a dialog's button does: busy while it runs (the dialog waits), and why it failed, to show.
import { BackendError } from "../lib/backend/backend";

export class Action {
  busy = $state(false);
  error = $state<BackendError | null>(null);

  async run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await work();
    } catch (e) {
      this.error = BackendError.from(e);
    } finally {
      this.busy = false;
    }
  }
}
