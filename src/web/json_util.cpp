#include "json_util.h"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

#include "arkwiki/core/url.h"

namespace arkwiki::web {

Result<Poco::JSON::Object::Ptr> ReadJsonObject(Exchange& ex, size_t max_bytes) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string body, ReadBody(ex, max_bytes));
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(body);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
      return Status::InvalidArgument("the request body must be a JSON object");
    }
    return parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("the request body is not valid JSON: " + e.message());
  }
}

Result<std::optional<std::string>> OptionalString(const Poco::JSON::Object::Ptr& obj,
                                                  const std::string& key) {
  if (!obj->has(key) || obj->isNull(key)) return std::optional<std::string>();
  Poco::Dynamic::Var v = obj->get(key);
  if (!v.isString()) return Status::InvalidArgument("'" + key + "' must be a string");
  return std::optional<std::string>(v.convert<std::string>());
}

Result<std::optional<int64_t>> OptionalInt(const Poco::JSON::Object::Ptr& obj,
                                           const std::string& key) {
  if (!obj->has(key) || obj->isNull(key)) return std::optional<int64_t>();
  Poco::Dynamic::Var v = obj->get(key);
  if (!v.isInteger()) return Status::InvalidArgument("'" + key + "' must be an integer");
  return std::optional<int64_t>(v.convert<Poco::Int64>());
}

Result<std::map<std::string, std::string>> ObjectToStringMap(const Poco::JSON::Object::Ptr& obj) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : *obj) {
    if (value.isEmpty()) return Status::InvalidArgument("'" + key + "' must not be null");
    if (value.type() == typeid(bool)) {
      out[key] = value.extract<bool>() ? "true" : "false";
    } else if (value.isString() || value.isNumeric()) {
      out[key] = value.convert<std::string>();
    } else {
      return Status::InvalidArgument("'" + key + "' must be a string, number or boolean");
    }
  }
  return out;
}

std::string FileUrl(const std::string& slug, const std::string& name) {
  return "/files/" + UrlEncodeComponent(slug) + "/" + UrlEncodeComponent(name);
}

Poco::JSON::Object::Ptr PageToJson(const Page& page, const std::string& parent_slug,
                                   bool with_markdown) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("id", page.id);
  o->set("slug", page.slug);
  o->set("title", page.title);
  o->set("revision", page.current_revision);
  o->set("visibility", page.visibility);
  o->set("sort_order", page.sort_order);
  if (parent_slug.empty()) {
    o->set("parent", Poco::Dynamic::Var());
  } else {
    o->set("parent", parent_slug);
  }
  o->set("created_at", page.created_at);
  o->set("updated_at", page.updated_at);
  if (page.deleted_at) o->set("deleted_at", *page.deleted_at);
  if (with_markdown) o->set("markdown", page.markdown);
  return o;
}

Poco::JSON::Object::Ptr UploadToJson(const Upload& u) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("name", u.name);
  o->set("url", FileUrl(u.page_slug, u.name));
  o->set("size", u.size);
  o->set("sha256", u.sha256);
  o->set("content_type", u.content_type);
  o->set("uploader", u.uploader);
  o->set("created_at", u.created_at);
  return o;
}

}  // namespace arkwiki::web
