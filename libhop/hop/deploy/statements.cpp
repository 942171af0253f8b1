#include "statements.hpp"

#include "../error.hpp"

namespace hop::deploy {

ParsedScript parse_script(const patches::Script& script)
{
  ParsedScript p;
  sql::Options options;
  options.allow_mixed = !script.transaction;
  p.script = sql::parse(script.content, script.path, options);
  p.transactional = script.transaction && !p.script.has_non_transactional();
  return p;
}

std::vector<ParsedScript> parse_release(const patches::Release& release,
                                        const std::string& nothing_changed)
{
  std::vector<ParsedScript> out;
  out.reserve(release.scripts.size());
  for (const auto& s : release.scripts) {
    if (s.kind != patches::Kind::sql) {
      out.emplace_back();
      continue;
    }
    try {
      out.push_back(parse_script(s));
    } catch (Error& e) {
      if (!nothing_changed.empty()) {
        e.detail(nothing_changed);
      }
      throw;
    }
  }
  return out;
}

} // namespace hop::deploy
