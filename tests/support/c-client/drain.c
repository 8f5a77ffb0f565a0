// The official C client (libnats) draining a connection: it subscribes, publishes `count`
// messages to itself, drains, and prints what it saw as JSON for the test to check.
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>

static volatile int closed = 0;
static volatile int received = 0;

static void onClosed(natsConnection *nc, void *closure) { closed = 1; }

static void onMsg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure) {
  received++;
  natsMsg_Destroy(msg);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: drain <url> <count>\n");
    return 2;
  }
  int count = atoi(argv[2]);
  natsOptions *opts = NULL;
  natsConnection *nc = NULL;
  natsSubscription *sub = NULL;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, argv[1]);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(opts, onClosed, NULL);
  if (s == NATS_OK) s = natsConnection_Connect(&nc, opts);
  if (s == NATS_OK) s = natsConnection_Subscribe(&sub, nc, "drain.test", onMsg, NULL);
  for (int i = 0; s == NATS_OK && i < count; i++) s = natsConnection_PublishString(nc, "drain.test", "hello");
  if (s == NATS_OK) s = natsConnection_DrainTimeout(nc, 5000);
  for (int waited = 0; s == NATS_OK && !closed && waited < 10000; waited++) nats_Sleep(1);
  const char *lastError = NULL;
  natsStatus drained = (nc != NULL) ? natsConnection_GetLastError(nc, &lastError) : s;
  printf("{\"status\":\"%s\",\"drainError\":\"%s\",\"closed\":%s,\"received\":%d}\n", natsStatus_GetText(s), natsStatus_GetText(drained), closed ? "true" : "false", received);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(nc);
  natsOptions_Destroy(opts);
  nats_Close();
  return s == NATS_OK ? 0 : 1;
}
