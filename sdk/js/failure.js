// How a command fails: a protocol error code and a message.

/** The error codes of the OpenClaw protocol, as a failure carries them. */
export const code = Object.freeze({
  /** The caller's mistake: bad params, something that does not exist. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** The node could not do it now: a device, a file or a service failed. */
  UNAVAILABLE: 'UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  FORBIDDEN: 'FORBIDDEN',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
});

/** Throw it from a command to answer the operator with `code` and `message`. */
export class Failure extends Error {
  constructor(failureCode, message) {
    super(message);
    this.name = 'Failure';
    this.code = failureCode;
    // What the component hands the host: the contract's `failure` record, worded for the
    // operator.
    this.payload = { code: failureCode, message: this.wireMessage() };
  }

  /**
   * The message as the operator reads it. An `INVALID_REQUEST` reason is prefixed with its
   * code, as the real node host words them; a message that already starts with the code (or
   * with `Error: `, as the real words a thrown error) is left as it is, so a host's failure is
   * never prefixed twice.
   */
  wireMessage() {
    const worded = this.message.startsWith(this.code) || this.message.startsWith('Error: ');
    return this.code === code.INVALID_REQUEST && !worded ? `${this.code}: ${this.message}` : this.message;
  }

  toString() {
    return this.wireMessage();
  }

  /** `INVALID_REQUEST`: the caller's mistake. The message is the reason alone. */
  static invalid(message) {
    return new Failure(code.INVALID_REQUEST, String(message));
  }

  static unavailable(message) {
    return new Failure(code.UNAVAILABLE, message);
  }

  static timeout(message) {
    return new Failure(code.TIMEOUT, message);
  }

  /**
   * The failure a thrown value stands for, so that a command need not catch it: a
   * capability's own failure keeps its code, bad values are the caller's mistake, anything
   * else is the node's.
   */
  static of(error) {
    if (error instanceof Failure) return error;
    const carried = error?.payload;
    if (typeof carried?.code === 'string') {
      return new Failure(carried.code, String(carried.message ?? ''));
    }
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) {
      return Failure.invalid(text);
    }
    return Failure.unavailable(text);
  }
}

/**
 * Calls a capability's binding: what it throws is thrown as a `Failure`, a capability's own
 * failure with its code. The capability modules wrap each call that can fail with it.
 */
export function capability(call) {
  try {
    return call();
  } catch (e) {
    throw Failure.of(e);
  }
}
