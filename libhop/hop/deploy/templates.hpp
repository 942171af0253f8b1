// The template databases of a development database (design §6.1, "Dev
// builds take the production path"): the template of the first release is
// its committed baseline; the template of release N is the template of
// N-1 plus N's tagged scripts, run by the deploy engine, then compared
// with N's committed model/schema-N.sql. Data that release scripts insert
// is therefore in every later build, as in production. Templates are
// cached: each carries a stamp (its comment) that changes when anything
// it was built from changes.
#pragma once

#include "history.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hop {
class Session;
}

namespace hop::db {
class Cluster;
}

namespace hop::deploy {

// "<db>__hop_X.Y.Z".
std::string template_name(const std::string& dbname, const Version& v);

// The template of release `v` of `history` for the session's database,
// built when missing or stale (from the newest up-to-date one before it).
// Returns its name.
std::string ensure_template(Session& session, const History& history,
                            const Version& v);

// Make the database `db` (an up-to-date copy of the template of release
// `v`, e.g. a development database just released) the template of `v`.
void adopt_as_template(Session& session, const History& history,
                       const Version& v, const std::string& db);

// A copy of a database being made in the background, on a maintenance
// connection of its own, to become a template: release copies the
// database it replayed while the tests run, instead of after them.
// Dropped (after its CREATE DATABASE ends) when destroyed unadopted. Its
// name is a scratch name (__hop_build): a SIGKILL leaves what sweep()
// drops.
class TemplateCopy {
public:
  TemplateCopy(TemplateCopy&&) noexcept;
  TemplateCopy& operator=(TemplateCopy&&) = delete;
  TemplateCopy(const TemplateCopy&) = delete;
  TemplateCopy& operator=(const TemplateCopy&) = delete;
  ~TemplateCopy();

private:
  friend TemplateCopy start_template_copy(Session&, const std::string&);
  friend void
  adopt_copy_as_template(Session&, const History&, const Version&,
                         TemplateCopy&,
                         const std::vector<std::pair<Version, std::string>>&);
  TemplateCopy(std::unique_ptr<db::Cluster> cluster, std::string name);

  std::unique_ptr<db::Cluster> m_cluster;
  std::string m_name;
  bool m_open = true; // the CREATE DATABASE is still to be waited for
  bool m_adopted = false;
};

// Start copying the session's database `db` (it must have no sessions
// until the copy is done; a session that connects meanwhile waits for it).
TemplateCopy start_template_copy(Session& session, const std::string& db);

// What adopt_as_template() does with `db`, done with `copy`, a copy of it
// made before `commits` were stamped in `db`: wait for the copy, stamp
// them in it too, make it the template of `v`. Throws when the copy
// failed: the caller then adopts `db` itself.
void adopt_copy_as_template(
    Session& session, const History& history, const Version& v,
    TemplateCopy& copy,
    const std::vector<std::pair<Version, std::string>>& commits);

} // namespace hop::deploy
