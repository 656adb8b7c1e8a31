// HTML templates: a small Mustache subset, written for arkwiki.
//
// Why our own and not a library: our templates are compiled into the binary
// (see embedded_assets.h), so we need no file loading at run time; and we
// want escaping that cannot be forgotten. Here {{name}} is always
// HTML-escaped, with no per-template pragma to remember (Debian's
// libctemplate needs an AUTOESCAPE pragma in every template, and a template
// without one silently renders raw). The engine is a few hundred lines.
//
// Syntax:
//   {{name}}          the value, HTML-escaped (& < > " ' all escaped, so it is
//                     safe in element text and in quoted attribute values).
//   {{{name}}}        the value, RAW. Only for HTML we produced and already
//   {{&name}}         sanitised, such as RenderMarkdown(...).html. Never for
//                     anything a user typed.
//   {{user.name}}     dotted names descend into maps.
//   {{.}}             the current context value (e.g. inside a list of strings).
//   {{#x}}...{{/x}}   section: once per item if x is a list; once with x as
//                     the context if x is a map; once if x is true or a
//                     non-empty string; not at all if x is false, "", an empty
//                     list or missing.
//   {{^x}}...{{/x}}   inverted section: once exactly when {{#x}} would not.
//   {{>name}}         partial: another template of the same set, rendered with
//                     the current context.
//   {{! comment }}    dropped (may span lines).
// Names are [A-Za-z0-9_-] segments joined by '.'. A name is looked up in the
// innermost context first, then outward (the first segment only; later
// segments must be found inside that value). A missing name renders as "".
// Strings render as themselves, booleans as "true"/"false", lists and maps
// as "". A section, comment or partial tag alone on its line takes the line
// with it, so block tags leave no blank lines. Set delimiters ({{=...=}}) and
// lambdas are not supported.
#pragma once

#include <concepts>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "arkwiki/core/status.h"

namespace arkwiki {

// A value in the data passed to a template: a string, a bool, a list or a
// map of them. Default-constructed it is "" (falsy).
class TemplateValue {
 public:
  using List = std::vector<TemplateValue>;
  using Map = std::map<std::string, TemplateValue, std::less<>>;

  TemplateValue() = default;
  TemplateValue(std::string text) : value_(std::move(text)) {}         // NOLINT
  TemplateValue(std::string_view text) : value_(std::string(text)) {}  // NOLINT
  TemplateValue(const char* text) : value_(std::string(text)) {}       // NOLINT
  TemplateValue(bool flag) : value_(flag) {}                           // NOLINT
  // Integers render in decimal (so 0 is a non-empty, truthy string).
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) TemplateValue(T number)
      : value_(std::to_string(number)) {}                // NOLINT
  TemplateValue(List list) : value_(std::move(list)) {}  // NOLINT
  TemplateValue(Map map) : value_(std::move(map)) {}     // NOLINT

  // MakeMap({{"title", "Home"}, {"is_admin", true}}), MakeList({"a", "b"}).
  static TemplateValue MakeMap(
      std::initializer_list<std::pair<const std::string, TemplateValue>> entries);
  static TemplateValue MakeList(std::initializer_list<TemplateValue> items);

  // Sets map entry `key`, first turning a non-map value into an empty map.
  TemplateValue& Set(std::string key, TemplateValue value);
  // Appends to a list, first turning a non-list value into an empty list.
  TemplateValue& Append(TemplateValue item);

  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  bool is_bool() const { return std::holds_alternative<bool>(value_); }
  bool is_list() const { return std::holds_alternative<List>(value_); }
  bool is_map() const { return std::holds_alternative<Map>(value_); }
  // Each returns the value, or an empty one if the value is of another kind.
  const std::string& AsString() const;
  bool AsBool() const;
  const List& AsList() const;
  const Map& AsMap() const;

  // The map entry `key`, or null if this is not a map or has no such key.
  const TemplateValue* Find(std::string_view key) const;
  // How a section sees it: false, "", an empty list are falsy; maps truthy.
  bool Truthy() const;

 private:
  std::variant<std::string, bool, List, Map> value_;
};

// A set of compiled templates that may include each other as partials.
// Add() is not thread-safe; Render() may run concurrently once adding is done.
class TemplateSet {
 public:
  TemplateSet();
  ~TemplateSet();
  TemplateSet(TemplateSet&&) noexcept;
  TemplateSet& operator=(TemplateSet&&) noexcept;

  // Compiles `source` and stores it as `name`, replacing any earlier one.
  // On a syntax error returns InvalidArgument "template '<name>' line <n>:
  // <problem>" and leaves the set unchanged. Partials are resolved at render
  // time, so templates may be added in any order.
  Status Add(std::string name, std::string_view source);
  bool Has(std::string_view name) const;

  // Renders template `name` with `data` as the outermost context. Returns
  // NotFound if `name`, or a partial it uses, is not in the set, and
  // InvalidArgument if partials nest more than kMaxPartialDepth deep (a
  // template that includes itself).
  Result<std::string> Render(std::string_view name, const TemplateValue& data) const;

  static constexpr int kMaxPartialDepth = 16;

 private:
  struct Compiled;
  std::map<std::string, std::shared_ptr<const Compiled>, std::less<>> templates_;
};

}  // namespace arkwiki
