/*
 * mock-kafka: a Kafka-protocol test peer for CI machines without a broker.
 *
 * Starts librdkafka's in-process mock cluster (rdkafka_mock.h), prints its bootstrap servers on
 * one line to stdout, then serves a tiny line protocol on stdin until stdin closes or the process
 * gets SIGTERM/SIGINT:
 *
 *   create <topic> <partitions> [<replication-factor>]   ->  "ok" | "error <reason>"
 *   errors <api-key> <error-code> [<error-code>...]      ->  "ok" | "error <reason>"
 *   ping                                                 ->  "ok"
 *
 * `errors` makes the next requests with that API key (from any client) fail with the given Kafka
 * error codes, one per request, in order (rd_kafka_mock_push_request_errors); tests use it to
 * inject coordinator failures, e.g. "errors 14 42" answers the next SyncGroup with INVALID_REQUEST.
 *
 * Topics are created through the mock API because the mock answers CreateTopics only partially
 * (see docs/kafka-backend.md). Usage: mock-kafka [<broker-count>]   (default 1)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void reply(const char *fmt, const char *arg) {
  if (arg) {
    printf(fmt, arg);
  } else {
    fputs(fmt, stdout);
  }
  fflush(stdout);
}

static void handle_line(rd_kafka_mock_cluster_t *mcluster, char *line) {
  char *save = NULL;
  char *cmd = strtok_r(line, " \t\r\n", &save);
  if (!cmd) return;
  if (strcmp(cmd, "ping") == 0) {
    reply("ok\n", NULL);
    return;
  }
  if (strcmp(cmd, "create") == 0) {
    char *topic = strtok_r(NULL, " \t\r\n", &save);
    char *parts = strtok_r(NULL, " \t\r\n", &save);
    char *repl = strtok_r(NULL, " \t\r\n", &save);
    if (!topic || !parts) {
      reply("error usage: create <topic> <partitions> [<replication-factor>]\n", NULL);
      return;
    }
    int partition_cnt = atoi(parts);
    int replication = repl ? atoi(repl) : 1;
    if (partition_cnt <= 0 || replication <= 0) {
      reply("error partitions and replication factor must be positive integers\n", NULL);
      return;
    }
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, topic, partition_cnt, replication);
    if (err) {
      reply("error %s\n", rd_kafka_err2str(err));
    } else {
      reply("ok\n", NULL);
    }
    return;
  }
  if (strcmp(cmd, "errors") == 0) {
    char *api = strtok_r(NULL, " \t\r\n", &save);
    rd_kafka_resp_err_t errs[64];
    size_t cnt = 0;
    char *tok;
    while (cnt < 64 && (tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
      char *end = NULL;
      long code = strtol(tok, &end, 10);
      if (!end || *end != '\0' || code <= 0 || code > 32767) {
        reply("error error codes must be positive Kafka error codes, got %s\n", tok);
        return;
      }
      errs[cnt++] = (rd_kafka_resp_err_t)code;
    }
    char *end = NULL;
    long key = api ? strtol(api, &end, 10) : -1;
    if (!api || !end || *end != '\0' || key < 0 || key > 32767 || cnt == 0) {
      reply("error usage: errors <api-key> <error-code> [<error-code>...]\n", NULL);
      return;
    }
    rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)key, cnt, errs);
    reply("ok\n", NULL);
    return;
  }
  reply("error unknown command %s (expected: create, errors, ping)\n", cmd);
}

int main(int argc, char **argv) {
  int broker_cnt = argc > 1 ? atoi(argv[1]) : 1;
  if (broker_cnt <= 0) {
    fprintf(stderr, "mock-kafka: broker count must be a positive integer, got %s\n", argv[1]);
    return 2;
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* Keep the hosting client quiet: it exists only to own the mock cluster. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "mock-kafka: cannot create the librdkafka handle: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
  if (!mcluster) {
    fprintf(stderr, "mock-kafka: cannot start the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);

  char buf[1024];
  size_t used = 0;
  while (!stop_requested) {
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    int n = poll(&pfd, 1, 200);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (n == 0) continue;
    ssize_t got = read(STDIN_FILENO, buf + used, sizeof buf - 1 - used);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break; /* stdin closed: the parent is gone */
    used += (size_t)got;
    buf[used] = '\0';
    char *nl;
    while ((nl = strchr(buf, '\n')) != NULL) {
      *nl = '\0';
      handle_line(mcluster, buf);
      size_t consumed = (size_t)(nl - buf) + 1;
      memmove(buf, nl + 1, used - consumed + 1);
      used -= consumed;
    }
    if (used == sizeof buf - 1) {
      reply("error line too long (max 1023 bytes)\n", NULL);
      used = 0;
    }
  }

  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
}
