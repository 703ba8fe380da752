// A signal that follows others for as long as one piece of work runs, then lets go of them.

/**
 * A signal aborted, with the same reason, as soon as one of `signals` is (at once if one already is), like
 * `AbortSignal.any(signals)`; but it follows them only until `until` settles, then takes its listeners off them.
 *
 * Why not `AbortSignal.any`: in Bun a signal it returns stays reachable, listeners and all, for as long as one of
 * its sources can still abort. Combined per turn with an agent's deletion signal, which lives as long as the
 * agent, every turn left three signals and a controller that were never collected: small, but without bound.
 */
export function followSignals(signals: readonly AbortSignal[], until: Promise<unknown>): AbortSignal {
  const controller = new AbortController();
  const already = signals.find((signal) => signal.aborted);
  if (already) {
    controller.abort(already.reason);
    return controller.signal;
  }
  const release = () => {
    for (const signal of signals) signal.removeEventListener('abort', onAbort);
  };
  function onAbort(this: AbortSignal) {
    release();
    controller.abort(this.reason);
  }
  for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
  until.then(release, release);
  return controller.signal;
}
