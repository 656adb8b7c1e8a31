#include "multipart_form.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTMLForm.h>

namespace arkwiki::web {

Status LoadMultipartForm(Exchange& ex, Poco::Net::PartHandler& handler) {
  Status s;
  try {
    Poco::Net::HTMLForm form;
    form.setFieldLimit(20);
    form.setValueLengthLimit(4096);
    form.load(ex.request, ex.request.stream(), handler);
  } catch (const MultipartAbort& abort) {
    s = abort.status;
  } catch (const Poco::Exception& e) {
    s = Status::InvalidArgument("malformed multipart body: " + e.message());
  }
  if (!s.ok()) ex.response.setKeepAlive(false);
  return s;
}

}  // namespace arkwiki::web
