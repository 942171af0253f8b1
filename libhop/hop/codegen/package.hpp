// Generating the half_orm package of a project from the catalog: plan every
// file first (and refuse when a module's marker lines are damaged), then
// write. Files are replaced atomically, only when their bytes change.
#pragma once

#include "catalog.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace hop::db {
class Connection;
}

namespace hop::codegen {

struct Change
{
  std::string path; // relative to the project root
  bool remove = false;
  std::string content;
};

struct Plan
{
  std::vector<Change> changes;
  std::vector<std::string> warnings;
  std::vector<std::string> errors; // damaged files: nothing may be written
  size_t unchanged = 0;
  size_t relations = 0;
};

// What generating `package` under `root` from `catalog` would change.
Plan plan_package(const Catalog& catalog, const std::filesystem::path& root,
                  const std::string& package);

// Write and remove what `plan` says (it must have no errors).
void apply_plan(const Plan& plan, const std::filesystem::path& root);

struct Summary
{
  size_t relations = 0;
  size_t written = 0;
  size_t removed = 0;
  size_t unchanged = 0;
  std::vector<std::string> warnings;
};

// Read the catalog through `conn` and plan the package of the project at
// `root` (its docstrings name the model by its package, not by the
// database of the machine, so every developer generates the same bytes).
Plan plan_from_database(db::Connection& conn, const std::filesystem::path& root,
                        const std::string& package);

// Throw hop::Error (exit 1) listing the errors of `plan`, with `detail`
// when it is not empty; nothing when it has none.
void check_plan(const Plan& plan, const std::string& package,
                const std::string& detail = "");

// apply_plan(), then what it did.
Summary write_plan(Plan plan, const std::filesystem::path& root);

// Read the catalog through `conn`, plan and write the package. Damaged
// modules: hop::Error (exit 1) listing them, nothing written.
Summary generate_package(db::Connection& conn,
                         const std::filesystem::path& root,
                         const std::string& package);

} // namespace hop::codegen
