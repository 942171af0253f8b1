// What git-hop leaves behind when it is stopped: nothing.
//
//   cleanup::handle_signals();            // first thing in main()
//   cleanup::Registered tmp(path);        // removed on SIGINT/SIGTERM/SIGHUP
//   cleanup::sweep(dir);                  // remove what a SIGKILLed
//                                         // git-hop left in dir
//
// On SIGINT, SIGTERM or SIGHUP, a thread that waits for them (they are
// blocked everywhere else) stops the main thread where it is (SIGRTMIN+2),
// signals the process group of every running child (process.cpp registers
// them), waits up to 3 s for them to end, kills what is left, removes every
// registered temporary path, then makes git-hop die of the same signal
// (exit status 128+n for a shell). The rest
// of git-hop never sees the signal: a command is stopped as if by SIGKILL,
// which every command must survive anyway, minus the leftovers.
//
// Temporary things carry the owner's tag (owner_tag(): pid, start time and
// pid namespace), so that the next git-hop can tell those of a dead
// git-hop from those of a live one, and removes only the former.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace hop::cleanup {

// Start handling SIGINT, SIGTERM and SIGHUP (those not ignored when
// git-hop started). Call it before any thread starts.
void handle_signals();

// In a child between fork and exec (async-signal-safe), or before an
// exec that replaces git-hop: unblock the signals handle_signals()
// blocked.
void unblock_in_child();

// Whether a termination signal is being handled.
bool terminating();
// When a termination signal is being handled, wait for the end (the
// process dies of it); else return at once. For the main thread, after a
// child ended, and before exiting.
void hold_if_terminating();

// "<pid>-<start time>-<pid namespace>": this process, unmistakably.
const std::string& owner_tag();
// Whether the git-hop that `tag` names is still running (or might be:
// another pid namespace, an unreadable /proc). False for a malformed tag.
bool owner_alive(const std::string& tag);

// A temporary path (file or directory) removed, with what it holds, when
// git-hop is stopped by a signal. Unregistered (not removed) by the
// destructor or release().
class Registered {
public:
  explicit Registered(std::filesystem::path path);
  ~Registered();
  Registered(const Registered&) = delete;
  Registered& operator=(const Registered&) = delete;
  void release();

private:
  std::filesystem::path m_path;
  bool m_active = true;
};

// A running child: its process group (own_group) or the process alone is
// signalled on termination.
void add_child(pid_t pid, bool own_group);
void remove_child(pid_t pid);

// Remove from `dir` what dead git-hops left: "<x>.hop-tmp-<tag>" files,
// ".<pkg>.hop-new-<tag>" folders, "git-hop-<what>.<tag>.XXXXXX" scratch
// directories. Entries of live owners (or of other users' git-hops that we
// cannot remove) are left alone. Each directory is swept once per process.
void sweep(const std::filesystem::path& dir);

// The directory for temporary files: $TMPDIR, else /tmp.
std::filesystem::path temp_dir();

} // namespace hop::cleanup
