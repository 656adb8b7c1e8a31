#include "restore/intent_marker.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace arkwiki {

std::string SerializeIntent(const IntentMarker& m) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("staging_id", m.staging_id);
  o->set("generation", m.generation);
  o->set("safety_backup", m.safety_backup);
  if (!m.keep_old_as.empty()) o->set("keep_old_as", m.keep_old_as);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out);
  return out.str() + "\n";
}

Result<IntentMarker> ParseIntent(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    IntentMarker m;
    m.staging_id = o->getValue<std::string>("staging_id");
    m.generation = o->getValue<std::string>("generation");
    m.safety_backup = o->optValue<std::string>("safety_backup", "");
    m.keep_old_as = o->optValue<std::string>("keep_old_as", "");
    if (m.staging_id.empty() || m.staging_id.find('/') != std::string::npos ||
        m.staging_id.find("..") != std::string::npos || m.generation.empty() ||
        m.keep_old_as.find('/') != std::string::npos ||
        m.keep_old_as.find("..") != std::string::npos) {
      return Status::Corruption("the restore intent marker is malformed");
    }
    return m;
  } catch (const Poco::Exception& e) {
    return Status::Corruption("the restore intent marker is unreadable: " + e.message());
  }
}

}  // namespace arkwiki
