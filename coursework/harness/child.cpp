// child.cpp — fork, run, read back over a pipe, kill on timeout.
#include "child.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace course {

namespace {

void write_all(int fd, const std::string& msg) {
  for (std::size_t off = 0; off < msg.size();) {
    const ssize_t w = write(fd, msg.data() + off, msg.size() - off);
    if (w <= 0) return;
    off += static_cast<std::size_t>(w);
  }
}

}  // namespace

int time_limit() {
  const char* env = std::getenv("KLGRAD_COURSE_SECONDS");
  const int s = env ? std::atoi(env) : 0;
  return s > 0 ? s : 10;
}

ChildOutcome in_child(const std::function<std::string()>& body, int seconds) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed: " + std::string(std::strerror(errno)));
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    ::close(fds[0]);
    std::string msg;
    try {
      msg = "1" + body();  // '1': finished, the payload follows
    } catch (const std::exception& ex) {
      msg = std::string("0") + ex.what();  // '0': threw, the message follows
    } catch (...) {
      msg = "0an exception that is not a std::exception";
    }
    write_all(fds[1], msg);
    _exit(0);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[4096];
  pollfd p{fds[0], POLLIN, 0};
  bool timed_out = false;
  for (;;) {
    if (poll(&p, 1, seconds * 1000) == 0) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    msg.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ChildOutcome out;
  if (timed_out) {
    out.pattern = "timeout";
    out.text = "  your code ran longer than " + std::to_string(seconds) + " s (an endless loop?) and was stopped\n";
  } else if (WIFSIGNALED(wstatus)) {
    out.pattern = "crash";
    out.text = std::string("  your code crashed: ") + strsignal(WTERMSIG(wstatus)) +
               " (an index past the end of a Mat, or a read of an empty one?)\n";
  } else if (msg.empty() || (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0)) {
    out.pattern = "crash";
    out.text = "  your code ended the process (exit) before the check finished\n";
  } else if (msg[0] == '0') {
    out.pattern = "exception";
    out.text = "  your code threw an exception: " + msg.substr(1) + "\n";
  } else {
    out.finished = true;
    out.payload = msg.substr(1);
  }
  return out;
}

}  // namespace course
