#include "offsite/s3_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <istream>
#include <memory>
#include <mutex>
#include <thread>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "offsite/s3_errors.h"
#include "offsite/s3_streamed_body.h"
#include "offsite/shown_text.h"

namespace arkwiki::s3 {
namespace {

constexpr size_t kReadBlock = size_t{1} << 20;
constexpr size_t kMaxErrorBody = size_t{64} << 10;
// The most of a 2xx answer kept in memory (one ListObjectsV2 page of 1,000
// keys is about 300 KB). A longer one, or an endless chunked one, is no S3
// answer: reading stops there and the request fails.
constexpr size_t kMaxAnswerBody = size_t{8} << 20;

// Poco keeps bytes read past the end of an answer in its session buffer,
// where the next request would take them for its answer. This exposes
// whether any are there (HTTPSession::buffered is protected).
template <class Base>
class ProbedSession final : public Base {
 public:
  using Base::Base;
  bool HasBytesPastAnswer() const { return this->buffered() > 0; }
};
// A socket that holds each send and receive to the request's deadline.
// The check sits in the socket, below the session, because Poco reads the
// status line, the headers and each chunk-size line through
// HTTPSession::get, which no session override reaches: a server could
// otherwise stream one endless chunk extension past any deadline.
template <class Impl>
class DeadlineSocketImpl final : public Impl {
 public:
  template <class... Args>
  explicit DeadlineSocketImpl(Deadline* deadline, Args&&... args)
      : Impl(std::forward<Args>(args)...), deadline_(deadline) {}
  using Impl::receiveBytes;
  using Impl::sendBytes;
  int sendBytes(const void* buffer, int length, int flags) override {
    deadline_->Check(this);
    return Impl::sendBytes(buffer, length, flags);
  }
  int receiveBytes(void* buffer, int length, int flags) override {
    deadline_->Check(this);
    return Impl::receiveBytes(buffer, length, flags);
  }

 private:
  Deadline* deadline_;
};
// SecureStreamSocket's constructor from an impl is protected.
class DeadlineTlsSocket final : public Poco::Net::SecureStreamSocket {
 public:
  DeadlineTlsSocket(Deadline* deadline, Poco::Net::Context::Ptr context)
      : SecureStreamSocket(
            new DeadlineSocketImpl<Poco::Net::SecureStreamSocketImpl>(deadline, context)) {}
};
using PlainSession = ProbedSession<Poco::Net::HTTPClientSession>;
using TlsSession = ProbedSession<Poco::Net::HTTPSClientSession>;

bool HasBytesPastAnswer(Poco::Net::HTTPClientSession* session) {
  if (auto* plain = dynamic_cast<PlainSession*>(session)) {
    // Plain HTTP: bytes waiting on the socket too. (Over TLS the socket may
    // hold a session ticket, so only Poco's buffer counts there.)
    return plain->HasBytesPastAnswer() || plain->socket().available() > 0;
  }
  auto* tls = dynamic_cast<TlsSession*>(session);
  return tls != nullptr && tls->HasBytesPastAnswer();
}

Poco::Timespan Millis(int ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms) * 1000);
}

std::string Describe(const Call& call) {
  // A key may come from the server's listing (prune removes listed keys).
  return call.method + " " + (call.key.empty() ? std::string("(bucket)") : ShownText(call.key));
}

Status TooLong(const Call& call) {
  return Status::Corruption("off-site object " + ShownText(call.key) + " is longer than the " +
                            std::to_string(call.max_sink_bytes) +
                            " bytes it may hold; reading stopped there");
}

uint64_t BodySize(const Call& call) {
  if (call.body_object != nullptr) return call.body_object->Size();
  return call.body_file != nullptr ? call.body_file->Size() : call.body.size();
}

// Whether the server says it encrypted the object with a key of KMS or of
// the client (SSE-KMS, SSE-C): such an object's ETag is no MD5 of its bytes.
bool ServerEncrypted(const Poco::Net::HTTPResponse& rs) {
  return rs.get("x-amz-server-side-encryption", "").rfind("aws:kms", 0) == 0 ||
         rs.has("x-amz-server-side-encryption-customer-algorithm");
}

// Ends a streamed body its source cut short: sends what it holds, then
// the end of sending, and waits for the answer (within the request's
// deadline), so that a server that keeps a cut body (s3rver stores what
// arrived once the request ends) is done with it before the request that
// removes it. S3 answers IncompleteBody and keeps nothing. The request
// has failed already, so a failure here changes nothing.
void EndCutBody(Poco::Net::HTTPClientSession& session, std::ostream& out) {
  try {
    out.flush();
    session.socket().shutdownSend();
    Poco::Net::HTTPResponse rs;
    std::istream& in = session.receiveResponse(rs);
    in.ignore(static_cast<std::streamsize>(kMaxErrorBody));
  } catch (const Poco::Exception&) {
  } catch (const std::exception&) {
  }
}

}  // namespace

void Deadline::Check(Poco::Net::SocketImpl* socket) {
  if (cancel != nullptr && cancel->cancelled()) throw Poco::Exception("the request was cancelled");
  const int64_t left = at_ms - now_ms();
  if (left <= 0) throw Poco::TimeoutException("the request's deadline has passed");
  // Set near the deadline only (and once more to undo it), since a new
  // connection starts with the session's own timeouts.
  const int timeout = left < io_timeout_ms ? static_cast<int>(left) : 0;
  if (timeout == 0 && applied_timeout_ms_ == 0) return;
  const Poco::Timespan span = Millis(timeout > 0 ? timeout : io_timeout_ms);
  socket->setReceiveTimeout(span);
  socket->setSendTimeout(span);
  applied_timeout_ms_ = timeout;
}

struct Client::Attempt {
  Status status;
  bool retry = false;
  bool drop_connection = false;  // the answer was not read to its end
  Reply reply;
};

Client::Client(S3TargetConfig config)
    : config_(std::move(config)), jitter_(std::random_device{}()) {
  const Poco::URI uri(config_.endpoint);
  scheme_ = uri.getScheme();
  host_ = config_.path_style ? uri.getHost() : config_.bucket + "." + uri.getHost();
  port_ = uri.getPort();
  base_path_ = uri.getPath();
  while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
  if (!config_.clock) config_.clock = NowUnixSeconds;
  if (!config_.deadline_clock) config_.deadline_clock = SteadyMillis;
  deadline_.now_ms = config_.deadline_clock;
  deadline_.io_timeout_ms = config_.io_timeout_ms;
  deadline_.cancel = config_.cancel;
}

Client::~Client() = default;

std::string Client::Describe() const {
  std::string prefix = config_.key_prefix;
  if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return "s3://" + config_.bucket + (prefix.empty() ? "" : "/" + prefix) + " at " + scheme_ +
         "://" + Poco::URI(config_.endpoint).getAuthority();
}

std::string Client::RequestPath(const std::string& key) const {
  std::string path = base_path_;
  if (config_.path_style) path += "/" + config_.bucket;
  if (!key.empty()) path += "/" + key;
  return UriEncodePath(path);
}

Result<Poco::Net::HTTPClientSession*> Client::Session() {
  if (session_ != nullptr) return session_.get();
  try {
    NewSession();
  } catch (const Poco::Exception& e) {
    // A setting problem (an unreadable ca_file): trying again will not help.
    return Status::IoError("cannot set up the connection to " + host_ + ": " +
                           ShownText(e.displayText()) + " (check ca_file)");
  }
  return session_.get();
}

void Client::NewSession() {
  if (scheme_ == "https") {
    static std::once_flag ssl_once;
    std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });
    // The chain is verified against ca_file, or the system's CAs, and the
    // session checks the host name; there is no setting to turn that off.
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", config_.ca_file,
                               Poco::Net::Context::VERIFY_RELAXED, 9, config_.ca_file.empty());
    session_ = std::make_unique<TlsSession>(DeadlineTlsSocket(&deadline_, context));
  } else {
    session_ = std::make_unique<PlainSession>(
        Poco::Net::StreamSocket(new DeadlineSocketImpl<Poco::Net::StreamSocketImpl>(&deadline_)));
  }
  session_->setHost(host_);
  session_->setPort(port_);
  session_->setTimeout(Millis(config_.connect_timeout_ms), Millis(config_.io_timeout_ms),
                       Millis(config_.io_timeout_ms));
  session_->setKeepAlive(true);
  // Below the 5 s idle timeout of common servers (Node's), so a reused
  // connection is rarely one the server has just closed.
  session_->setKeepAliveTimeout(Poco::Timespan(4, 0));
}

int64_t Client::BackoffMs(int retry) {
  const int64_t cap = std::min<int64_t>(config_.max_backoff_ms,
                                        int64_t{config_.initial_backoff_ms} << std::min(retry, 20));
  // "Equal jitter": half the cap, plus a random share of the other half, so
  // waits grow with each retry while clients that failed together spread out.
  std::uniform_int_distribution<int64_t> spread(0, cap / 2);
  return cap - cap / 2 + spread(jitter_);
}

int64_t Client::DeadlineFor(const Call& call) const {
  // The object a request carries: its body, or the most a Get may fetch.
  const uint64_t bytes = call.sink != nullptr ? call.max_sink_bytes : BodySize(call);
  const uint64_t mib = std::min<uint64_t>(bytes / (uint64_t{1} << 20) + 1, uint64_t{1} << 40);
  const uint64_t extra = std::min<uint64_t>(
      mib * static_cast<uint64_t>(config_.deadline_ms_per_mib), uint64_t{1} << 60);
  return config_.deadline_clock() + config_.request_deadline_ms + static_cast<int64_t>(extra);
}

Status Client::Cancelled(const Call& call) const {
  const Status s = CheckCancelled(config_.cancel);
  return s.ok() ? s : Status::Cancelled(s.message() + " (" + s3::Describe(call) + ")");
}

Status Client::DeadlinePassed(const Call& call, const Status& last) const {
  return Status::IoError(Describe() + ": " + s3::Describe(call) +
                         " did not finish within its deadline (request_deadline_ms " +
                         std::to_string(config_.request_deadline_ms) + ", plus " +
                         std::to_string(config_.deadline_ms_per_mib) + " ms per MiB)" +
                         (last.ok() ? std::string() : "; the last failure: " + last.message()));
}

Status Client::WriteBody(std::ostream& out, Poco::Net::StreamSocket& socket, const Call& call,
                         std::string* sent_md5) {
  if (call.body_object != nullptr) {
    out.flush();  // the request's head, which Poco's stream holds
    if (!out) throw Poco::Net::ConnectionResetException("the connection ended while sending");
    StreamedBody body(socket, call.body_object->Size(), &body_md5_);
    const Status s = call.body_object->WriteTo(&body);
    if (body.connection_lost()) throw Poco::Net::ConnectionResetException(body.lost_because());
    ARKWIKI_RETURN_IF_ERROR(s);
    if (body.written() != call.body_object->Size()) {
      return Status::Corruption("the object ended at byte " + std::to_string(body.written()) +
                                " of the " + std::to_string(call.body_object->Size()) +
                                " announced for it while being sent");
    }
    ARKWIKI_ASSIGN_OR_RETURN(*sent_md5, body.FinishMd5Hex());
    return Status::Ok();
  }
  if (call.body_file == nullptr) {
    out.write(call.body.data(), static_cast<std::streamsize>(call.body.size()));
    return Status::Ok();
  }
  const uint64_t size = call.body_file->Size();
  std::string block(static_cast<size_t>(std::min<uint64_t>(kReadBlock, size)), '\0');
  for (uint64_t offset = 0; offset < size && out;) {
    const auto want = static_cast<size_t>(std::min<uint64_t>(block.size(), size - offset));
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, call.body_file->ReadAt(offset, block.data(), want));
    if (n == 0) {
      return Status::Corruption("the source ended at byte " + std::to_string(offset) +
                                " while being uploaded: it changed size");
    }
    out.write(block.data(), static_cast<std::streamsize>(n));
    offset += n;
  }
  return Status::Ok();
}

Status Client::ReadBody(std::istream& in, const Call& call, uint64_t* delivered, Attempt* a) {
  Reply* reply = &a->reply;
  const bool ok_answer = reply->status / 100 == 2;
  const bool to_sink = call.sink != nullptr && ok_answer;
  // A server that ignored our Range resends from byte 0: skip what we have.
  uint64_t skip = (to_sink && reply->status == 200) ? *delivered : 0;
  if (to_sink && reply->status == 200) *delivered = 0;
  if (to_sink && reply->content_length > call.max_sink_bytes - *delivered) {
    a->drop_connection = true;
    return TooLong(call);
  }
  const size_t cap = ok_answer ? kMaxAnswerBody : kMaxErrorBody;
  // Left uninitialised: most answers (to a PUT) are empty.
  auto block = std::make_unique_for_overwrite<char[]>(kReadBlock);
  uint64_t received = 0;
  while (in) {
    in.read(block.get(), static_cast<std::streamsize>(kReadBlock));
    const auto n = static_cast<size_t>(in.gcount());
    received += n;
    std::string_view got(block.get(), n);
    if (!to_sink) {
      if (reply->body.size() + n <= cap) {
        reply->body.append(got);
        continue;
      }
      // The rest is never read, so the connection cannot carry another request.
      a->drop_connection = true;
      if (ok_answer) {
        return Status::IoError("the answer is larger than " + std::to_string(cap >> 20) +
                               " MiB, which no S3 answer to this request is: refused");
      }
      reply->body.append(got.substr(0, cap - reply->body.size()));  // enough to quote
      return Status::Ok();
    }
    const auto dropped = static_cast<size_t>(std::min<uint64_t>(skip, n));
    skip -= dropped;
    *delivered += dropped;
    got.remove_prefix(dropped);
    if (got.empty()) continue;
    if (got.size() > call.max_sink_bytes - *delivered) {
      a->drop_connection = true;
      return TooLong(call);
    }
    ARKWIKI_RETURN_IF_ERROR(call.sink->Write(got));
    *delivered += got.size();
  }
  if (in.bad() || (reply->content_length > 0 && received != reply->content_length)) {
    a->retry = true;
    return Status::IoError("the connection ended after " + std::to_string(received) + " of " +
                           std::to_string(reply->content_length) + " bytes of the answer");
  }
  return Status::Ok();
}

std::unique_ptr<Poco::Net::HTTPRequest> Client::SignedRequest(const Call& call,
                                                              const std::string& payload_sha256,
                                                              uint64_t resume_from) {
  const std::string path = RequestPath(call.key);
  const std::string query = CanonicalQueryString(call.query);
  auto rq = std::make_unique<Poco::Net::HTTPRequest>(
      call.method, query.empty() ? path : path + "?" + query, Poco::Net::HTTPMessage::HTTP_1_1);
  rq->setHost(host_, port_);
  SigV4Request sig{call.method, path, call.query, call.headers, payload_sha256};
  if (resume_from > 0)
    sig.headers.emplace_back("range", "bytes=" + std::to_string(resume_from) + "-");
  const std::string date = AmzDate(config_.clock());
  sig.headers.emplace_back("host", rq->getHost());
  sig.headers.emplace_back("x-amz-content-sha256", payload_sha256);
  sig.headers.emplace_back("x-amz-date", date);
  for (const auto& [name, value] : sig.headers) {
    if (name != "host") rq->set(name, value);
  }
  const SigV4Credentials credentials{config_.access_key, config_.secret_key, config_.region};
  rq->set("Authorization", AuthorizationHeader(credentials, date, sig));
  rq->set("User-Agent", std::string("arkwiki/") + ARKWIKI_VERSION);
  if (call.method == "PUT" || call.method == "POST") {
    rq->setContentLength64(static_cast<Poco::Int64>(BodySize(call)));
  }
  return rq;
}

Client::Attempt Client::SendOnce(const Call& call, const std::string& payload_sha256,
                                 uint64_t* delivered) {
  Attempt a;
  auto opened = Session();
  if (!opened.ok()) {
    a.status = opened.status();
    return a;
  }
  Poco::Net::HTTPClientSession& session = **opened;
  try {
    auto rq = SignedRequest(call, payload_sha256, call.sink != nullptr ? *delivered : 0);
    std::ostream& out = session.sendRequest(*rq);
    std::string sent_md5;
    a.status = WriteBody(out, session.socket(), call, &sent_md5);
    if (!a.status.ok()) {
      if (call.body_object != nullptr) EndCutBody(session, out);
      session.reset();  // the server waits for the rest of a body that will not come
      return a;
    }
    out.flush();
    if (!out) throw Poco::Net::ConnectionResetException("the connection ended while sending");
    Poco::Net::HTTPResponse rs;
    std::istream& in = session.receiveResponse(rs);
    a.reply.status = static_cast<int>(rs.getStatus());
    a.reply.etag = rs.get("ETag", "");
    a.reply.content_length = rs.hasContentLength() ? rs.getContentLength64() : 0;
    if (call.method != "HEAD") a.status = ReadBody(in, call, delivered, &a);
    const std::string& expected_md5 = call.body_object != nullptr ? sent_md5 : call.body_md5;
    if (a.status.ok() && !expected_md5.empty() && a.reply.status / 100 == 2) {
      const EtagVerdict etag = CompareEtagWithMd5(a.reply.etag, expected_md5, ServerEncrypted(rs));
      a.reply.body_unchecked = etag == EtagVerdict::kNoMd5;
      if (etag == EtagVerdict::kDiffers) {
        a.status =
            Status::IoError("the server stored other bytes than were " +
                            std::string(call.body_object != nullptr ? "sent" : "hashed") +
                            " (ETag " + ShownText(a.reply.etag) + ", MD5 " + expected_md5 + ")");
        a.retry = true;
      }
    }
    if (a.status.ok() && !a.drop_connection && rs.getKeepAlive() && HasBytesPastAnswer(&session)) {
      // More bytes than the answer announced: they are no answer to the next
      // request, and this answer may be cut too. Ask again on a new connection.
      a.status = Status::IoError("the server sent more bytes than its answer's length");
      a.retry = true;
    }
    if (a.status.ok() && (a.reply.status / 100 != 2 || call.error_in_ok_answer)) {
      ErrorBody error = ParseErrorBody(a.reply.body);
      error.location = rs.get("Location", "");
      if (a.reply.status / 100 != 2 || !error.code.empty()) {
        a.status = AnswerToStatus(a.reply.status, error, Describe(), s3::Describe(call));
        a.retry = IsRetryableAnswer(a.reply.status, error.code);
      }
    }
  } catch (const Poco::Net::SSLConnectionUnexpectedlyClosedException& e) {
    a.status = Status::IoError(ShownText(e.displayText()));
    a.retry = true;
  } catch (const Poco::Net::SSLException& e) {
    // A refused certificate or a failed handshake: trying again will not help.
    a.status = Status::IoError("TLS with " + host_ + " failed: " + ShownText(e.displayText()) +
                               " (check the endpoint, and ca_file for a private CA)");
  } catch (const Poco::Exception& e) {
    a.status = Status::IoError(ShownText(e.displayText()));
    a.retry = true;
  } catch (const std::exception& e) {
    a.status = Status::IoError(ShownText(e.what()));
    a.retry = true;
  }
  if (!a.status.ok() || a.drop_connection) session.reset();
  return a;
}

Result<Reply> Client::Execute(const Call& call) {
  Result<Reply> reply = Attempts(call);
  if (!reply.ok() && call.body_object != nullptr &&
      reply.status().code() != StatusCode::kCancelled) {
    // A streamed body that failed may stand under its key cut short (S3
    // keeps nothing of a cut body, but some servers, s3rver among them,
    // keep what arrived) or damaged (its ETag said so), where a later copy
    // would take it for the object. Best effort, so not after a
    // cancellation (that copy judges objects by their listed size, and a
    // cut one is never the size of the whole): the failure being reported
    // matters more.
    (void)Attempts(Call{"DELETE", call.key});
  }
  return reply;
}

Result<Reply> Client::Attempts(const Call& call) {
  if (call.body_file != nullptr && call.body_sha256.empty()) {
    return Status::InvalidArgument("a body streamed from a file needs its SHA-256");
  }
  const std::string payload_sha256 = call.body_object != nullptr ? std::string(kUnsignedPayload)
                                     : !call.body_sha256.empty() ? call.body_sha256
                                     : call.body.empty()         ? std::string(kEmptySha256)
                                                                 : Sha256Hex(call.body);
  uint64_t delivered = 0;
  Status last;
  deadline_.at_ms = DeadlineFor(call);
  for (int attempt = 0; attempt < config_.max_attempts; ++attempt) {
    ARKWIKI_RETURN_IF_ERROR(Cancelled(call));
    if (attempt > 0) {
      const int64_t wait = BackoffMs(attempt);
      if (config_.deadline_clock() + wait >= deadline_.at_ms) return DeadlinePassed(call, last);
      if (config_.cancel != nullptr) {
        (void)config_.cancel->SleepFor(std::chrono::milliseconds(wait));
        ARKWIKI_RETURN_IF_ERROR(Cancelled(call));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      }
    }
    Attempt a = SendOnce(call, payload_sha256, &delivered);
    if (a.status.ok()) return std::move(a.reply);
    // An attempt cut short by the cancellation is no failure of the server.
    ARKWIKI_RETURN_IF_ERROR(Cancelled(call));
    // However the attempt ended, past the deadline the request is over.
    if (config_.deadline_clock() >= deadline_.at_ms) return DeadlinePassed(call, a.status);
    if (!a.retry) return a.status;
    last = a.status;
  }
  return Status::IoError(Describe() + ": " + s3::Describe(call) + " failed after " +
                         std::to_string(config_.max_attempts) +
                         " attempts; the last: " + last.message());
}

}  // namespace arkwiki::s3
