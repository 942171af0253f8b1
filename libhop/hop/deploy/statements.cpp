#include "statements.hpp"

#include "../error.hpp"

namespace hop::deploy {

ParsedScript parse_script(const patches::Script& script)
{
  ParsedScript p;
  sql::Options options;
  options.allow_mixed = !script.transaction;
  options.done_before = [&script](size_t offset) {
    script.content.release_before(offset);
  };
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

std::string LockRow::describe() const
{
  std::string s = file_line + "  " + tag;
  if (count > 1) {
    s += " (x" + std::to_string(count) + ")";
  }
  s += "  " + relation + "  " + level;
  if (rewrite) {
    s += ", rewrite";
  } else if (scan) {
    s += ", full scan";
  }
  if (rows || bytes) {
    std::string size;
    if (rows) {
      size = "about " + std::to_string(*rows) + " rows";
    }
    if (bytes) {
      size += (size.empty() ? "" : ", ") +
              std::to_string((*bytes + 1023) / 1024) + " kB";
    }
    s += " (" + size + ")";
  }
  if (!reason.empty()) {
    s += ": " + reason;
  }
  return s;
}

std::vector<LockRow> lock_rows(const patches::Release& release,
                               const std::vector<ParsedScript>& parsed,
                               db::Connection& conn)
{
  std::vector<LockRow> out;
  for (size_t i = 0; i < release.scripts.size(); ++i) {
    if (release.scripts[i].kind != patches::Kind::sql) {
      continue;
    }
    for (const auto& r :
         sql::lock_report(parsed[i].script, release.scripts[i].path, conn)) {
      LockRow row;
      row.file_line = r.file_line;
      row.tag = std::string(r.tag);
      row.count = r.count;
      row.relation = r.relation;
      row.level = std::string(sql::level_name(r.level));
      row.access_exclusive = r.level == sql::LockLevel::access_exclusive;
      row.rewrite = r.rewrite;
      row.scan = r.scan;
      row.reason = std::string(r.reason);
      row.rows = r.rows;
      row.bytes = r.bytes;
      out.push_back(std::move(row));
    }
  }
  return out;
}

} // namespace hop::deploy
