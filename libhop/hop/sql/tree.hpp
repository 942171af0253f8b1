// Internal to hop::sql: libpg_query's parse tree in its JSON form, read
// into a compact tree of values.
//
// libpg_query writes a tree as JSON or as protobuf. Both carry the same
// fields under the same names (pg_query.proto's json_name), but protobuf-c
// pays for every node a walk over the ~240 members of the Node oneof, on
// packing and again on unpacking: 67 us for a 10-row INSERT against 10 us
// for JSON (bench/README.md). Scripts are mostly such statements.
//
// A PostgreSQL Node is an object with a single key, its type:
//   {"RangeVar": {"schemaname": "s", "relname": "t", ...}}
// a field of a fixed message type is the bare object. Fields at their
// default (false, 0, "", empty list) are left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hop::sql::detail {

class Tree;

// A value in a Tree; a missing value (a key not there) is null.
class Value {
public:
  Value() = default;

  bool exists() const { return m_tree != nullptr; }
  explicit operator bool() const { return exists(); }
  bool is_object() const;
  bool is_array() const;

  // The member `key` of an object; null otherwise.
  Value operator[](std::string_view key) const;
  // A string's text, a number's digits; "" otherwise.
  std::string_view str() const;
  long long integer() const;
  // true for the JSON literal true.
  bool boolean() const;

  // The key of an object's member ("" for an array element).
  std::string_view key() const;

  // A PostgreSQL Node: its type ("RangeVar") and its fields; "" and null
  // for anything else.
  std::string_view type() const;
  Value fields() const;

  // The elements of an array (the members of an object: their values).
  class Iterator;
  Iterator begin() const;
  Iterator end() const;
  size_t size() const;
  Value first() const;
  Value last() const;

  // Same place in the same tree.
  bool operator==(const Value& other) const = default;

private:
  friend class Tree;
  Value(const Tree* tree, uint32_t index) : m_tree(tree), m_index(index) {}
  const Tree* m_tree = nullptr;
  uint32_t m_index = 0;
};

class Value::Iterator {
public:
  Value operator*() const { return Value(m_tree, m_index); }
  Iterator& operator++();
  bool operator==(const Iterator& other) const = default;

private:
  friend class Value;
  Iterator(const Tree* tree, uint32_t index) : m_tree(tree), m_index(index) {}
  const Tree* m_tree = nullptr;
  uint32_t m_index = 0;
};

class Tree {
public:
  Tree() = default;
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  // Read `json` (libpg_query's output, well formed), in place of what the
  // tree held (its memory is kept for the next one). Strings without
  // escapes are views of `json`: it must outlive the tree's values.
  void read(std::string_view json);
  Value root() const { return Value(this, 1); }

private:
  friend class Value;
  friend class Value::Iterator;
  enum class Type : uint8_t { null, boolean, number, string, array, object };
  struct Node
  {
    Type type = Type::null;
    bool truth = false;
    uint32_t child = 0; // first element or member
    uint32_t next = 0;  // next sibling
    std::string_view key;
    std::string_view text;
  };

  uint32_t value();
  std::string_view string();
  void expect(char c);

  std::string_view m_json;
  size_t m_at = 0;
  std::string m_strings; // decoded strings; reserved: never moves
  std::vector<Node> m_nodes;
};

} // namespace hop::sql::detail
