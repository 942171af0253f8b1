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

namespace {

LockRow lock_row(const sql::ReportRow& r)
{
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
  return row;
}

// The lock reports of releases[i] parsed as parsed[i].
std::vector<std::vector<LockRow>>
reports(const std::vector<const patches::Release*>& releases,
        const std::vector<const std::vector<ParsedScript>*>& parsed,
        db::Connection& conn)
{
  std::vector<sql::ReportScript> scripts;
  std::vector<size_t> release_of;
  for (size_t k = 0; k < releases.size(); ++k) {
    const auto& rel = *releases[k];
    for (size_t i = 0; i < rel.scripts.size(); ++i) {
      if (rel.scripts[i].kind == patches::Kind::sql) {
        scripts.push_back({&(*parsed[k])[i].script, &rel.scripts[i].path});
        release_of.push_back(k);
      }
    }
  }
  auto report = sql::lock_report(scripts, conn);
  std::vector<std::vector<LockRow>> out(releases.size());
  for (size_t n = 0; n < report.size(); ++n) {
    for (const auto& r : report[n]) {
      out[release_of[n]].push_back(lock_row(r));
    }
  }
  return out;
}

} // namespace

std::vector<LockRow> lock_rows(const patches::Release& release,
                               const std::vector<ParsedScript>& parsed,
                               db::Connection& conn)
{
  return std::move(reports({&release}, {&parsed}, conn).front());
}

std::vector<std::vector<LockRow>>
lock_rows(const std::vector<patches::Release>& releases,
          const std::vector<std::vector<ParsedScript>>& parsed,
          db::Connection& conn)
{
  std::vector<const patches::Release*> rels;
  std::vector<const std::vector<ParsedScript>*> parses;
  rels.reserve(releases.size());
  parses.reserve(releases.size());
  for (size_t k = 0; k < releases.size(); ++k) {
    rels.push_back(&releases[k]);
    parses.push_back(&parsed[k]);
  }
  return reports(rels, parses, conn);
}

} // namespace hop::deploy
