/* LD_PRELOAD'ed by bench/bigscript: at exit, each dynamically linked
 * process appends "<pid> <program> <peak RSS in KiB>" to the file named by
 * BENCH_MAXRSS_FILE. wait4's rusage of a process counts the largest of its
 * waited-for children too (pg_dump, psql under git-hop); this gives each
 * program its own peak. The peak is VmHWM of /proc/self/status, the high
 * water mark of this program's memory map: getrusage's ru_maxrss would
 * also count the parent's image that a fork copied before the exec (git-hop
 * forks at 200 MiB, its pg_dump would show 200 MiB).
 * Build: cc -O2 -shared -fPIC -o maxrss.so maxrss.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char* program_invocation_short_name;

__attribute__((destructor)) static void bench_report_maxrss(void)
{
  const char* path = getenv("BENCH_MAXRSS_FILE");
  if (!path || !*path) {
    return;
  }
  int saved = errno;
  long hwm = -1;
  FILE* status = fopen("/proc/self/status", "re");
  if (status) {
    char buf[256];
    while (fgets(buf, sizeof buf, status)) {
      if (strncmp(buf, "VmHWM:", 6) == 0) {
        hwm = strtol(buf + 6, NULL, 10);
        break;
      }
    }
    fclose(status);
  }
  char line[256];
  int n = snprintf(line, sizeof line, "%ld %s %ld\n", (long)getpid(),
                   program_invocation_short_name, hwm);
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    if (n > 0 && write(fd, line, (size_t)n) < 0) {
      /* nothing to do: the bench reports the process as missing */
    }
    close(fd);
  }
  errno = saved;
}
