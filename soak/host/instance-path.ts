/** Not a Pusher path: only the campaign's own Worker entry answers it, and only on loopback. */
export const INSTANCE_PATH = "/__soak/instance";
