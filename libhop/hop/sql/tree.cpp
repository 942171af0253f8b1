#include "tree.hpp"

#include "../error.hpp"

#include <charconv>

namespace hop::sql::detail {

bool Value::is_object() const
{
  return m_tree && m_tree->m_nodes[m_index].type == Tree::Type::object;
}

bool Value::is_array() const
{
  return m_tree && m_tree->m_nodes[m_index].type == Tree::Type::array;
}

Value Value::operator[](std::string_view key) const
{
  if (!is_object()) {
    return {};
  }
  for (uint32_t i = m_tree->m_nodes[m_index].child; i != 0;
       i = m_tree->m_nodes[i].next) {
    if (m_tree->m_nodes[i].key == key) {
      return Value(m_tree, i);
    }
  }
  return {};
}

std::string_view Value::str() const
{
  return m_tree ? m_tree->m_nodes[m_index].text : std::string_view();
}

long long Value::integer() const
{
  std::string_view t = str();
  long long v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

bool Value::boolean() const
{
  return m_tree && m_tree->m_nodes[m_index].type == Tree::Type::boolean &&
         m_tree->m_nodes[m_index].truth;
}

std::string_view Value::key() const
{
  return m_tree ? m_tree->m_nodes[m_index].key : std::string_view();
}

// Node types are CamelCase, field names start in lower case.
std::string_view Value::type() const
{
  if (!is_object()) {
    return {};
  }
  uint32_t c = m_tree->m_nodes[m_index].child;
  if (c == 0 || m_tree->m_nodes[c].next != 0) {
    return {};
  }
  std::string_view k = m_tree->m_nodes[c].key;
  return !k.empty() && k[0] >= 'A' && k[0] <= 'Z' ? k : std::string_view();
}

Value Value::fields() const
{
  if (type().empty()) {
    return {};
  }
  return Value(m_tree, m_tree->m_nodes[m_index].child);
}

Value::Iterator Value::begin() const
{
  if (!is_object() && !is_array()) {
    return end();
  }
  return Iterator(m_tree, m_tree->m_nodes[m_index].child);
}

Value::Iterator Value::end() const
{
  return Iterator(m_tree, 0);
}

Value::Iterator& Value::Iterator::operator++()
{
  m_index = m_tree->m_nodes[m_index].next;
  return *this;
}

size_t Value::size() const
{
  size_t n = 0;
  for (auto it = begin(); it != end(); ++it) {
    ++n;
  }
  return n;
}

Value Value::first() const
{
  auto it = begin();
  return it == end() ? Value() : *it;
}

Value Value::last() const
{
  Value v;
  for (Value c : *this) {
    v = c;
  }
  return v;
}

void Tree::read(std::string_view json)
{
  m_json = json;
  m_at = 0;
  m_strings.clear();
  m_strings.reserve(json.size()); // decoded strings are never longer
  m_nodes.clear();
  m_nodes.emplace_back(); // 0: null
  value();
  if (m_at != m_json.size()) {
    HOP_BUG("trailing text after libpg_query's JSON");
  }
}

void Tree::expect(char c)
{
  if (m_at >= m_json.size() || m_json[m_at] != c) {
    HOP_BUG(std::string("unexpected libpg_query JSON at byte ") +
            std::to_string(m_at));
  }
  ++m_at;
}

namespace {

void append_utf8(std::string& out, uint32_t cp)
{
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

} // namespace

// A string at m_at (its opening quote): a view of the JSON when it has no
// escape, else its decoded copy in m_strings.
std::string_view Tree::string()
{
  expect('"');
  size_t start = m_at;
  while (m_at < m_json.size() && m_json[m_at] != '"' && m_json[m_at] != '\\') {
    ++m_at;
  }
  if (m_at < m_json.size() && m_json[m_at] == '"') {
    return m_json.substr(start, m_at++ - start);
  }
  size_t from = m_strings.size();
  m_strings.append(m_json.substr(start, m_at - start));
  while (m_at < m_json.size() && m_json[m_at] != '"') {
    char c = m_json[m_at++];
    if (c != '\\') {
      m_strings += c;
      continue;
    }
    if (m_at >= m_json.size()) {
      break;
    }
    char e = m_json[m_at++];
    switch (e) {
    case 'b':
      m_strings += '\b';
      break;
    case 'f':
      m_strings += '\f';
      break;
    case 'n':
      m_strings += '\n';
      break;
    case 'r':
      m_strings += '\r';
      break;
    case 't':
      m_strings += '\t';
      break;
    case 'u': {
      auto hex4 = [this]() {
        uint32_t v = 0;
        std::from_chars(m_json.data() + m_at, m_json.data() + m_at + 4, v, 16);
        m_at += 4;
        return v;
      };
      if (m_at + 4 > m_json.size()) {
        HOP_BUG("a truncated \\u escape in libpg_query's JSON");
      }
      uint32_t cp = hex4();
      if (cp >= 0xD800 && cp < 0xDC00 && m_at + 6 <= m_json.size() &&
          m_json[m_at] == '\\' && m_json[m_at + 1] == 'u') {
        m_at += 2;
        uint32_t low = hex4();
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      }
      append_utf8(m_strings, cp);
      break;
    }
    default: // \" \\ \/
      m_strings += e;
    }
  }
  expect('"');
  return std::string_view(m_strings).substr(from);
}

uint32_t Tree::value()
{
  auto index = static_cast<uint32_t>(m_nodes.size());
  m_nodes.emplace_back();
  if (m_at >= m_json.size()) {
    HOP_BUG("truncated libpg_query JSON");
  }
  char c = m_json[m_at];
  if (c == '{' || c == '[') {
    bool object = c == '{';
    m_nodes[index].type = object ? Type::object : Type::array;
    ++m_at;
    uint32_t prev = 0;
    char close = object ? '}' : ']';
    while (m_at < m_json.size() && m_json[m_at] != close) {
      if (prev != 0) {
        expect(',');
      }
      std::string_view key;
      if (object) {
        key = string();
        expect(':');
      }
      uint32_t child = value();
      m_nodes[child].key = key;
      if (prev == 0) {
        m_nodes[index].child = child;
      } else {
        m_nodes[prev].next = child;
      }
      prev = child;
    }
    expect(close);
  } else if (c == '"') {
    std::string_view s = string();
    m_nodes[index].type = Type::string;
    m_nodes[index].text = s;
  } else if (m_json.compare(m_at, 4, "true") == 0) {
    m_nodes[index].type = Type::boolean;
    m_nodes[index].truth = true;
    m_at += 4;
  } else if (m_json.compare(m_at, 5, "false") == 0) {
    m_nodes[index].type = Type::boolean;
    m_at += 5;
  } else if (m_json.compare(m_at, 4, "null") == 0) {
    m_at += 4;
  } else {
    size_t start = m_at;
    while (m_at < m_json.size() &&
           std::string_view("+-.0123456789eE").find(m_json[m_at]) !=
               std::string_view::npos) {
      ++m_at;
    }
    if (m_at == start) {
      HOP_BUG(std::string("unexpected libpg_query JSON at byte ") +
              std::to_string(m_at));
    }
    m_nodes[index].type = Type::number;
    m_nodes[index].text = m_json.substr(start, m_at - start);
  }
  return index;
}

} // namespace hop::sql::detail
