// JSON helpers for the API handlers (Poco::JSON at the edge).
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <optional>
#include <string>

#include "arkwiki/storage/page_store.h"
#include "arkwiki/storage/upload_store.h"
#include "exchange.h"

namespace arkwiki::web {

// Reads and parses a JSON object body (at most max_bytes).
Result<Poco::JSON::Object::Ptr> ReadJsonObject(Exchange& ex, size_t max_bytes = 20u << 20);
// A string member, or nullopt when absent; InvalidArgument when not a string.
Result<std::optional<std::string>> OptionalString(const Poco::JSON::Object::Ptr& obj,
                                                  const std::string& key);
Result<std::optional<int64_t>> OptionalInt(const Poco::JSON::Object::Ptr& obj,
                                           const std::string& key);
// Every member as a string (numbers and booleans converted).
Result<std::map<std::string, std::string>> ObjectToStringMap(const Poco::JSON::Object::Ptr& obj);

Poco::JSON::Object::Ptr PageToJson(const Page& page, const std::string& parent_slug,
                                   bool with_markdown);
Poco::JSON::Object::Ptr UploadToJson(const Upload& upload);
std::string FileUrl(const std::string& slug, const std::string& name);

}  // namespace arkwiki::web
