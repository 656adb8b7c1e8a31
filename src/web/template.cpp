#include "template.h"

#include <algorithm>
#include <deque>
#include <functional>

#include "arkwiki/core/trim.h"
#include "html.h"

namespace arkwiki {

// ---- TemplateValue ----

TemplateValue TemplateValue::MakeMap(
    std::initializer_list<std::pair<const std::string, TemplateValue>> entries) {
  return TemplateValue(Map(entries));
}

TemplateValue TemplateValue::MakeList(std::initializer_list<TemplateValue> items) {
  return TemplateValue(List(items));
}

TemplateValue& TemplateValue::Set(std::string key, TemplateValue value) {
  if (!is_map()) value_ = Map();
  std::get<Map>(value_).insert_or_assign(std::move(key), std::move(value));
  return *this;
}

TemplateValue& TemplateValue::Append(TemplateValue item) {
  if (!is_list()) value_ = List();
  std::get<List>(value_).push_back(std::move(item));
  return *this;
}

const std::string& TemplateValue::AsString() const {
  static const std::string kEmpty;
  return is_string() ? std::get<std::string>(value_) : kEmpty;
}
bool TemplateValue::AsBool() const { return is_bool() && std::get<bool>(value_); }
const TemplateValue::List& TemplateValue::AsList() const {
  static const List kEmpty;
  return is_list() ? std::get<List>(value_) : kEmpty;
}
const TemplateValue::Map& TemplateValue::AsMap() const {
  static const Map kEmpty;
  return is_map() ? std::get<Map>(value_) : kEmpty;
}

const TemplateValue* TemplateValue::Find(std::string_view key) const {
  if (!is_map()) return nullptr;
  const Map& map = std::get<Map>(value_);
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

bool TemplateValue::Truthy() const {
  if (is_string()) return !AsString().empty();
  if (is_bool()) return AsBool();
  if (is_list()) return !AsList().empty();
  return true;
}

// ---- Parsing ----

namespace {

struct Node {
  enum Kind { kText, kEscaped, kRaw, kSection, kInverted, kPartial };
  Kind kind = kText;
  std::string text;               // literal text, tag name, or partial name
  std::vector<std::string> path;  // name split on '.'; empty for "."
  std::vector<Node> children;     // sections only
  int line = 0;
};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Splits "a.b.c" into segments; false if any segment is empty or has a
// character outside [A-Za-z0-9_-]. "." alone is the current context.
bool SplitName(std::string_view name, std::vector<std::string>* path) {
  path->clear();
  if (name == ".") return true;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string_view seg = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (seg.empty()) return false;
    for (char c : seg) {
      if (!IsNameChar(c)) return false;
    }
    path->emplace_back(seg);
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

class Parser {
 public:
  Parser(std::string_view name, std::string_view src) : name_(name), src_(src) {}

  Status Parse(std::vector<Node>* out) {
    stack_.push_back(out);
    size_t pos = 0;
    while (pos < src_.size()) {
      size_t open = src_.find("{{", pos);
      AddText(src_.substr(pos, open == std::string_view::npos ? open : open - pos));
      if (open == std::string_view::npos) break;
      ARKWIKI_RETURN_IF_ERROR(ParseTag(open, &pos));
    }
    if (stack_.size() > 1) {
      return Error(open_sections_.back().line,
                   "section {{#" + open_sections_.back().text + "}} is never closed");
    }
    return Status::Ok();
  }

 private:
  Status Error(int line, const std::string& message) const {
    return Status::InvalidArgument("template '" + std::string(name_) + "' line " +
                                   std::to_string(line) + ": " + message);
  }

  void AddText(std::string_view text) {
    for (char c : text) line_ += c == '\n';
    if (text.empty()) return;
    std::vector<Node>* nodes = stack_.back();
    if (!nodes->empty() && nodes->back().kind == Node::kText) {
      nodes->back().text += text;
      return;
    }
    Node node;
    node.kind = Node::kText;
    node.text = std::string(text);
    nodes->push_back(std::move(node));
  }

  // If the tag [open, end) is alone on its line (only blanks around it),
  // drops the blanks before it and returns the position after its newline.
  size_t StripStandalone(size_t open, size_t end) {
    size_t newline = open == 0 ? std::string_view::npos : src_.rfind('\n', open - 1);
    size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
    if (!Trim(src_.substr(line_start, open - line_start)).empty()) return end;
    size_t after = end;
    while (after < src_.size() && (src_[after] == ' ' || src_[after] == '\t')) ++after;
    if (after < src_.size() && src_[after] == '\r') ++after;
    if (after < src_.size() && src_[after] != '\n') return end;
    std::vector<Node>* nodes = stack_.back();
    if (open > line_start && !nodes->empty() && nodes->back().kind == Node::kText) {
      std::string& text = nodes->back().text;
      text.resize(text.size() - std::min(text.size(), open - line_start));
    }
    if (after < src_.size()) {
      ++line_;
      ++after;
    }
    return after;
  }

  Status ParseTag(size_t open, size_t* next) {
    const int line = line_;
    const bool triple = src_.substr(open, 3) == "{{{";
    const std::string_view closer = triple ? "}}}" : "}}";
    size_t body = open + (triple ? 3 : 2);
    size_t close = src_.find(closer, body);
    if (close == std::string_view::npos)
      return Error(line, "tag is never closed with " + std::string(closer));
    std::string_view content = src_.substr(body, close - body);
    size_t end = close + closer.size();
    for (char c : content) line_ += c == '\n';
    char sigil = triple ? '{' : (content.empty() ? '\0' : content[0]);
    if (sigil == '!') {
      *next = StripStandalone(open, end);
      return Status::Ok();
    }
    bool has_sigil =
        !triple && sigil != '\0' && std::string_view("#^/>&").find(sigil) != std::string_view::npos;
    std::string_view name = Trim(has_sigil ? content.substr(1) : content);
    Node node;
    node.line = line;
    node.text = std::string(name);
    if (sigil == '=') return Error(line, "changing delimiters is not supported");
    if (sigil == '>') {
      if (name.empty() || name.find_first_of(" \t\n") != std::string_view::npos) {
        return Error(line, "bad partial name '" + node.text + "'");
      }
    } else if (!SplitName(name, &node.path)) {
      return Error(line, "bad name '" + node.text + "' in {{" + std::string(content) + "}}");
    }
    switch (sigil) {
      case '#':
      case '^':
      case '>':
      case '/':
        end = StripStandalone(open, end);
        break;
      default:
        break;
    }
    *next = end;
    return AddTag(sigil, std::move(node));
  }

  Status AddTag(char sigil, Node node) {
    if (sigil == '/') {
      if (open_sections_.empty())
        return Error(node.line, "{{/" + node.text + "}} closes no section");
      if (open_sections_.back().text != node.text) {
        return Error(node.line, "{{/" + node.text + "}} closes {{#" + open_sections_.back().text +
                                    "}} opened on line " +
                                    std::to_string(open_sections_.back().line));
      }
      Node section = std::move(open_sections_.back());
      open_sections_.pop_back();
      stack_.pop_back();
      stack_.back()->push_back(std::move(section));
      return Status::Ok();
    }
    if (sigil == '#' || sigil == '^') {
      if (open_sections_.size() >= 64) return Error(node.line, "sections nest too deeply");
      node.kind = sigil == '#' ? Node::kSection : Node::kInverted;
      open_sections_.push_back(std::move(node));
      stack_.push_back(&open_sections_.back().children);
      return Status::Ok();
    }
    node.kind = sigil == '>'                     ? Node::kPartial
                : (sigil == '{' || sigil == '&') ? Node::kRaw
                                                 : Node::kEscaped;
    stack_.back()->push_back(std::move(node));
    return Status::Ok();
  }

  std::string_view name_;
  std::string_view src_;
  int line_ = 1;
  // Sections still open, innermost last. A deque, so pointers to their
  // children held in stack_ stay valid as sections open and close.
  std::deque<Node> open_sections_;
  std::vector<std::vector<Node>*> stack_;  // where new nodes go
};

// ---- Rendering ----

using PartialLookup = std::function<const std::vector<Node>*(std::string_view)>;

class Renderer {
 public:
  explicit Renderer(const PartialLookup& partials) : partials_(partials) {}

  Status Render(const std::vector<Node>& nodes, int depth, std::string* out) {
    for (const Node& node : nodes) ARKWIKI_RETURN_IF_ERROR(RenderNode(node, depth, out));
    return Status::Ok();
  }
  std::vector<const TemplateValue*> contexts;  // innermost last

 private:
  const TemplateValue* Lookup(const std::vector<std::string>& path) const {
    if (path.empty()) return contexts.back();
    const TemplateValue* value = nullptr;
    for (auto it = contexts.rbegin(); it != contexts.rend() && value == nullptr; ++it) {
      value = (*it)->Find(path[0]);
    }
    for (size_t i = 1; i < path.size() && value != nullptr; ++i) value = value->Find(path[i]);
    return value;
  }

  static std::string Stringify(const TemplateValue* value) {
    if (value == nullptr) return "";
    if (value->is_bool()) return value->AsBool() ? "true" : "false";
    return value->AsString();
  }

  Status RenderSection(const Node& node, const TemplateValue& value, int depth, std::string* out) {
    if (value.is_bool()) return Render(node.children, depth, out);
    if (!value.is_list()) {
      contexts.push_back(&value);
      Status s = Render(node.children, depth, out);
      contexts.pop_back();
      return s;
    }
    for (const TemplateValue& item : value.AsList()) {
      contexts.push_back(&item);
      Status s = Render(node.children, depth, out);
      contexts.pop_back();
      ARKWIKI_RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  }

  Status RenderNode(const Node& node, int depth, std::string* out) {
    switch (node.kind) {
      case Node::kText:
        *out += node.text;
        return Status::Ok();
      case Node::kEscaped:
        *out += HtmlEscape(Stringify(Lookup(node.path)));
        return Status::Ok();
      case Node::kRaw:
        *out += Stringify(Lookup(node.path));
        return Status::Ok();
      case Node::kSection: {
        const TemplateValue* value = Lookup(node.path);
        if (value == nullptr || !value->Truthy()) return Status::Ok();
        return RenderSection(node, *value, depth, out);
      }
      case Node::kInverted: {
        const TemplateValue* value = Lookup(node.path);
        if (value != nullptr && value->Truthy()) return Status::Ok();
        return Render(node.children, depth, out);
      }
      case Node::kPartial: {
        if (depth >= TemplateSet::kMaxPartialDepth) {
          return Status::InvalidArgument("partials nest deeper than " +
                                         std::to_string(TemplateSet::kMaxPartialDepth) + " at {{>" +
                                         node.text + "}}");
        }
        const std::vector<Node>* partial = partials_(node.text);
        if (partial == nullptr)
          return Status::NotFound("no template '" + node.text + "' for partial");
        return Render(*partial, depth + 1, out);
      }
    }
    return Status::Ok();
  }

  const PartialLookup& partials_;
};

}  // namespace

// ---- TemplateSet ----

struct TemplateSet::Compiled {
  std::vector<Node> nodes;
};

TemplateSet::TemplateSet() = default;
TemplateSet::~TemplateSet() = default;
TemplateSet::TemplateSet(TemplateSet&&) noexcept = default;
TemplateSet& TemplateSet::operator=(TemplateSet&&) noexcept = default;

Status TemplateSet::Add(std::string name, std::string_view source) {
  auto compiled = std::make_shared<Compiled>();
  ARKWIKI_RETURN_IF_ERROR(Parser(name, source).Parse(&compiled->nodes));
  templates_.insert_or_assign(std::move(name), std::move(compiled));
  return Status::Ok();
}

bool TemplateSet::Has(std::string_view name) const {
  return templates_.find(name) != templates_.end();
}

Result<std::string> TemplateSet::Render(std::string_view name, const TemplateValue& data) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) return Status::NotFound("no template '" + std::string(name) + "'");
  PartialLookup partials = [this](std::string_view partial) -> const std::vector<Node>* {
    auto found = templates_.find(partial);
    return found == templates_.end() ? nullptr : &found->second->nodes;
  };
  Renderer renderer(partials);
  renderer.contexts.push_back(&data);
  std::string out;
  Status s = renderer.Render(it->second->nodes, 0, &out);
  if (!s.ok()) return s.WithContext("rendering template '" + std::string(name) + "'");
  return out;
}

}  // namespace arkwiki
