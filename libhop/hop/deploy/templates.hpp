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

#include <string>

namespace hop {
class Session;
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

} // namespace hop::deploy
