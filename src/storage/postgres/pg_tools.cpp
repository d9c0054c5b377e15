#include "storage/postgres/pg_tools.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

extern char** environ;  // NOLINT: POSIX

namespace relais::storage::postgres {
namespace {

constexpr std::size_t kMaxErrBytes = 8 * 1024;

// Quotes a conninfo value: single quotes, with backslash and quote escaped.
std::string quote_value(const char* value) {
  std::string out = "'";
  for (const char* p = value; *p != '\0'; ++p) {
    if (*p == '\\' || *p == '\'') out += '\\';
    out += *p;
  }
  out += '\'';
  return out;
}

// Closes both ends of a pipe that are still open.
struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd) {
      if (f >= 0) close(f);
    }
  }
  void close_end(int i) {
    if (fd[i] >= 0) close(fd[i]);
    fd[i] = -1;
  }
};

}  // namespace

Result<ToolConnection> tool_connection(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Error::bad_request("invalid PostgreSQL URL: " + message);
  }
  ToolConnection connection;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    if (std::strcmp(o->keyword, "password") == 0) {
      connection.password = o->val;
      continue;
    }
    if (!connection.conninfo.empty()) connection.conninfo += ' ';
    connection.conninfo += o->keyword;
    connection.conninfo += '=';
    connection.conninfo += quote_value(o->val);
  }
  PQconninfoFree(options);
  return connection;
}

Result<ToolRun> run_tool(const std::string& program, const std::vector<std::string>& args,
                         const ToolConnection& connection) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PGPASSWORD=", 11) != 0) env_strings.emplace_back(*e);
  }
  if (!connection.password.empty()) env_strings.push_back("PGPASSWORD=" + connection.password);
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(argv_strings.size() + 1);
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  Pipe out;
  Pipe err;
  if (pipe(out.fd) != 0 || pipe(err.fd) != 0) {
    return Error::internal(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out.fd[0]);
  posix_spawn_file_actions_addclose(&actions, err.fd[0]);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Error::internal("cannot run " + program + ": " + std::strerror(rc) +
                           " (install Debian's postgresql-client)");
  }
  out.close_end(1);
  err.close_end(1);

  ToolRun run;
  pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
  int open_fds = 2;
  char buffer[16 * 1024];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      (i == 0 ? run.out : run.err).append(buffer, static_cast<std::size_t>(n));
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (run.err.size() > kMaxErrBytes) run.err = run.err.substr(run.err.size() - kMaxErrBytes);
  while (!run.err.empty() && (run.err.back() == '\n' || run.err.back() == ' ')) {
    run.err.pop_back();
  }
  return run;
}

}  // namespace relais::storage::postgres
