/** Name of the account clients land in when no accounts are configured (nats-server's `$G`). */
export const GLOBAL_ACCOUNT_NAME = '$G';
