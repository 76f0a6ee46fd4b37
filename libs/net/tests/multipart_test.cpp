#include "hatongsu/net/multipart.h"

#include <vector>

#include <gtest/gtest.h>

namespace hatongsu::net {
namespace {

using Event = MultipartParser::Event;

// The events of one parse, with each part's data joined (its split into Data() pieces is free).
struct Outcome {
    absl::Status status;
    std::vector<std::string> events;
    bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
    os << o.status << " [";
    for (const auto& e : o.events) {
        os << e << " | ";
    }
    return os << "]";
}

// Parses `body` fed in the pieces between the given cut offsets (ascending).
Outcome Parse(
    std::string_view body,
    std::string_view boundary,
    const std::vector<std::size_t>& cuts = {},
    MultipartLimits limits = {}) {
    std::vector<std::string_view> pieces;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        pieces.push_back(body.substr(from, cut - from));
        from = cut;
    }
    pieces.push_back(body.substr(from));
    MultipartParser parser(boundary, limits);
    Outcome out;
    std::string data;
    std::size_t next = 0;
    for (int guard = 0; guard < 100000; ++guard) {
        auto event = parser.Next();
        if (!event.ok()) {
            out.status = event.status();
            return out;
        }
        switch (*event) {
            case Event::kNeedMore:
                if (next < pieces.size()) {
                    parser.Feed(pieces[next++]);
                } else {
                    parser.FinishInput();
                }
                break;
            case Event::kPartBegin: {
                const MultipartPart& p = parser.Part();
                out.events.push_back(
                    "begin name=" + p.name + " filename=" + p.filename.value_or("<none>") +
                    " type=" + p.content_type);
                data.clear();
                break;
            }
            case Event::kPartData:
                EXPECT_FALSE(parser.Data().empty());
                data += parser.Data();
                break;
            case Event::kPartEnd:
                out.events.push_back("data=" + data);
                out.events.push_back("end");
                break;
            case Event::kEnd:
                out.events.push_back("END");
                return out;
        }
    }
    ADD_FAILURE() << "the parser does not progress";
    return out;
}

const std::string kBody =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"files\"; filename=\"a.jpg\"\r\n"
    "Content-Type: image/jpeg\r\n"
    "\r\n"
    "\xff\xd8 jpeg\r\n--XyY not yet x--XyZ\r\n-XyZ\r\n"
    "--XyZ  \t\r\n"
    "content-disposition: form-data; name=lastModifiedTimestamps[]\r\n"
    "\r\n"
    "1700000000123\r\n"
    "--XyZ--\r\n"
    "epilogue --XyZ\r\n";

TEST(Multipart, ParsesPartsAndIgnoresPreambleAndEpilogue) {
    Outcome o = Parse(kBody, "XyZ");
    ASSERT_TRUE(o.status.ok()) << o.status;
    EXPECT_EQ(
        o.events, (std::vector<std::string>{
                      "begin name=files filename=a.jpg type=image/jpeg",
                      "data=\xff\xd8 jpeg\r\n--XyY not yet x--XyZ\r\n-XyZ", "end",
                      "begin name=lastModifiedTimestamps[] filename=<none> type=",
                      "data=1700000000123", "end", "END"}));
}

TEST(Multipart, EverySplitGivesTheSameEvents) {
    const Outcome whole = Parse(kBody, "XyZ");
    ASSERT_TRUE(whole.status.ok());
    for (std::size_t i = 0; i <= kBody.size(); ++i) {
        ASSERT_EQ(Parse(kBody, "XyZ", {i}), whole) << "cut at " << i;
    }
    for (std::size_t i = 0; i <= kBody.size(); i += 3) {
        for (std::size_t j = i; j <= kBody.size(); ++j) {
            ASSERT_EQ(Parse(kBody, "XyZ", {i, j}), whole) << "cuts at " << i << ", " << j;
        }
    }
    std::vector<std::size_t> every_byte;
    for (std::size_t i = 1; i < kBody.size(); ++i) {
        every_byte.push_back(i);
    }
    EXPECT_EQ(Parse(kBody, "XyZ", every_byte), whole);
}

TEST(Multipart, ErrorsDoNotDependOnTheSplitEither) {
    const std::string truncated = kBody.substr(0, kBody.find("--XyZ--"));
    const Outcome whole = Parse(truncated, "XyZ");
    EXPECT_EQ(whole.status.code(), absl::StatusCode::kInvalidArgument);
    for (std::size_t i = 0; i <= truncated.size(); ++i) {
        ASSERT_EQ(Parse(truncated, "XyZ", {i}), whole) << "cut at " << i;
    }
}

TEST(Multipart, BoundaryComesFromTheContentType) {
    EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
    EXPECT_EQ(
        *MultipartBoundary("Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c=d?\""),
        "a b:c=d?");
    EXPECT_EQ(
        *MultipartBoundary("multipart/form-data; boundary=----WebKitFormBoundaryx7Yz"),
        "----WebKitFormBoundaryx7Yz");
    for (const std::string& bad : std::vector<std::string>{
             "application/json", "multipart/form-data", "multipart/form-data; boundary=",
             "multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=\"ends \"",
             "multipart/form-data; boundary=" + std::string(71, 'a'),
             "multipart/form-data; boundary=a\x01", "multipart/mixed; boundary=abc",
             "multipart/form-data; boundary=\"unterminated"}) {
        EXPECT_EQ(MultipartBoundary(bad).status().code(), absl::StatusCode::kInvalidArgument)
            << bad;
    }
    EXPECT_TRUE(MultipartBoundary("multipart/form-data; boundary=" + std::string(70, 'a')).ok());
    EXPECT_EQ(Parse("--x--", "").status.code(), absl::StatusCode::kInvalidArgument);
}

TEST(Multipart, AQuotedBoundaryWithSpacesWorks) {
    std::string boundary = *MultipartBoundary("multipart/form-data; boundary=\"a b(c)\"");
    Outcome o = Parse(
        "--a b(c)\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n--a b(c)--", boundary);
    ASSERT_TRUE(o.status.ok()) << o.status;
    EXPECT_EQ(o.events[1], "data=v");
}

std::string OnePart(std::string_view disposition, std::string_view data = "d") {
    return "--b\r\nContent-Disposition: " + std::string(disposition) + "\r\n\r\n" +
           std::string(data) + "\r\n--b--";
}

std::string FilenameOf(std::string_view disposition) {
    Outcome o = Parse(OnePart(disposition), "b");
    EXPECT_TRUE(o.status.ok()) << disposition << ": " << o.status;
    if (o.events.empty()) {
        return "<error>";
    }
    std::string begin = o.events[0];
    std::size_t at = begin.find("filename=");
    return begin.substr(at + 9, begin.find(" type=") - at - 9);
}

TEST(Multipart, FilenamesAreUtf8WithoutPaths) {
    EXPECT_EQ(
        FilenameOf("form-data; name=\"files\"; filename=\"x.jpg\"; "
                   "filename*=UTF-8''%EC%82%AC%EC%A7%84%201.JPG"),
        "사진 1.JPG");
    EXPECT_EQ(
        FilenameOf("form-data; name=files; filename*=utf-8''a%20b.png; filename=\"fallback\""),
        "a b.png");
    EXPECT_EQ(FilenameOf("form-data; name=files; filename*=iso-8859-1'fr'caf%E9.jpg"), "café.jpg");
    // A filename* we cannot decode: the plain filename is used.
    EXPECT_EQ(
        FilenameOf("form-data; name=f; filename=\"plain.jpg\"; filename*=koi8-r''x"), "plain.jpg");
    EXPECT_EQ(FilenameOf("form-data; name=f; filename=\"p.jpg\"; filename*=UTF-8''%zz"), "p.jpg");
    // Raw UTF-8 bytes are kept as UTF-8 (the original read them as Latin-1).
    EXPECT_EQ(FilenameOf("form-data; name=f; filename=\"사진 1.JPG\""), "사진 1.JPG");
    // Invalid UTF-8 becomes U+FFFD.
    EXPECT_EQ(FilenameOf("form-data; name=f; filename=\"caf\xe9.jpg\""), "caf\xef\xbf\xbd.jpg");
    EXPECT_EQ(FilenameOf("form-data; name=f; filename=\"C:\\x\\a.jpg\""), "a.jpg");
    EXPECT_EQ(FilenameOf("form-data; name=f; filename=\"../a.jpg\""), "a.jpg");
    EXPECT_EQ(FilenameOf("form-data; name=f; filename=\"/etc/..\""), "");
    EXPECT_EQ(FilenameOf("form-data; name=f; filename=\"say \\\"hi\\\".jpg\""), "say \"hi\".jpg");
    EXPECT_EQ(FilenameOf("form-data; name=f; filename=\"\""), "");
    EXPECT_EQ(FilenameOf("form-data; name=f"), "<none>");
}

TEST(Multipart, ControlCharactersInFilenamesAreRefused) {
    for (std::string disposition :
         {"form-data; name=f; filename*=UTF-8''a%0Ab.jpg",
          "form-data; name=f; filename*=UTF-8''a%00b.jpg",
          "form-data; name=f; filename*=UTF-8''a%C2%85b.jpg",
          "form-data; name=f; filename*=UTF-8''a%7Fb.jpg"}) {
        Outcome o = Parse(OnePart(disposition), "b");
        EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument) << disposition;
    }
}

TEST(Multipart, DelimiterLookalikesInsideDataAreData) {
    const std::string data =
        "--b\r\n"      // at the start of data, not after CRLF
        "x--b\r\n"     // not at a line start
        "\r\n-b\r\n"   // one dash
        "\r\n--\r\n"   // no boundary
        "\r\r\n\r\n";  // CRs before a real delimiter
    const std::string body = OnePart("form-data; name=f; filename=\"f.bin\"", data);
    Outcome whole = Parse(body, "b");
    ASSERT_TRUE(whole.status.ok()) << whole.status;
    EXPECT_EQ(whole.events[1], "data=" + data);
    for (std::size_t i = 0; i <= body.size(); ++i) {
        ASSERT_EQ(Parse(body, "b", {i}), whole) << "cut at " << i;
    }
}

TEST(Multipart, TheBodyMustEndWithTheClosingDelimiter) {
    for (std::string body :
         {std::string(""), std::string("just a preamble"),
          std::string("--b\r\nContent-Disposition: form-data; name=f\r\n\r\nno end"),
          std::string("--b\r\nContent-Disposition: form-data; name=f\r\n\r\nv\r\n--b"),
          std::string("--b\r\nContent-Disposition: form-data; name=f\r\n\r\nv\r\n--b\r\n"),
          std::string("--b\r\nContent-Disposition: form-data; name=f\r\n")}) {
        Outcome o = Parse(body, "b");
        EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument) << body;
        EXPECT_NE(o.status.message().find("ended before the closing delimiter"), std::string::npos)
            << o.status;
    }
}

TEST(Multipart, MalformedPartsAreRefused) {
    for (std::string headers :
         {"Content-Type: text/plain",                              // no Content-Disposition
          "Content-Disposition: attachment; name=f",               // not form-data
          "Content-Disposition: form-data; filename=\"a.jpg\"",    // no name
          "Content-Disposition form-data; name=f",                 // no colon
          "Content-Disposition: form-data; name=f\r\n folded",     // obsolete folding
          "Content-Disposition: form-data; name=\"f",              // unterminated quote
          "Content-Disposition: form-data; name=f\r\nBad\x01: x",  // a control byte
          "Content-Disposition: form-data; name=f\r\nContent-Disposition: form-data; name=g", ""}) {
        std::string body = "--b\r\n" + headers + "\r\n\r\nv\r\n--b--";
        Outcome o = Parse(body, "b");
        EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument) << headers;
    }
    // A delimiter followed by anything but padding, CRLF or "--".
    EXPECT_EQ(Parse("--bx\r\n", "b").status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Parse("--b-x", "b").status.code(), absl::StatusCode::kInvalidArgument);
    // A line that starts with the whole delimiter is one (RFC 2046 5.1.1), even inside data.
    EXPECT_EQ(
        Parse(OnePart("form-data; name=f", "a\r\n--bz"), "b").status.code(),
        absl::StatusCode::kInvalidArgument);
}

TEST(Multipart, PartHeadersAreBounded) {
    MultipartLimits limits;
    limits.max_header_bytes = 100;
    std::string disposition = "Content-Disposition: form-data; name=f";  // 38 bytes
    auto body_with = [&](std::size_t header_bytes) {
        std::string extra = "X-Pad: " + std::string(header_bytes - disposition.size() - 9, 'p');
        return "--b\r\n" + disposition + "\r\n" + extra + "\r\n\r\nv\r\n--b--";
    };
    Outcome at_limit = Parse(body_with(100), "b", {}, limits);
    EXPECT_TRUE(at_limit.status.ok()) << at_limit.status;
    for (std::size_t cut = 0; cut <= body_with(100).size(); ++cut) {
        Outcome over = Parse(body_with(101), "b", {cut}, limits);
        ASSERT_EQ(over.status.code(), absl::StatusCode::kInvalidArgument) << cut;
        EXPECT_NE(over.status.message().find("headers too large"), std::string::npos);
        ASSERT_TRUE(Parse(body_with(100), "b", {cut}, limits).status.ok()) << cut;
    }
    // An endless header block is refused after the limit, not held.
    MultipartParser parser("b", limits);
    std::string endless = "--b\r\n" + std::string(10000, 'h');
    ASSERT_EQ(*parser.Next(), Event::kNeedMore);
    parser.Feed(endless);
    EXPECT_EQ(parser.Next().status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Multipart, PartsAreCounted) {
    MultipartLimits limits;
    limits.max_parts = 3;
    auto body_with = [](int parts) {
        std::string body;
        for (int i = 0; i < parts; ++i) {
            body += "--b\r\nContent-Disposition: form-data; name=p\r\n\r\nv\r\n";
        }
        return body + "--b--";
    };
    EXPECT_TRUE(Parse(body_with(3), "b", {}, limits).status.ok());
    Outcome over = Parse(body_with(4), "b", {}, limits);
    EXPECT_EQ(over.status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(over.status.message().find("too many"), std::string::npos);
}

TEST(Multipart, OnlyADelimitersLengthOfDataIsHeldBack) {
    MultipartParser parser("boundary");
    ASSERT_EQ(*parser.Next(), Event::kNeedMore);
    std::string head = "--boundary\r\nContent-Disposition: form-data; name=f\r\n\r\n";
    parser.Feed(head);
    ASSERT_EQ(*parser.Next(), Event::kPartBegin);
    ASSERT_EQ(*parser.Next(), Event::kNeedMore);
    std::string data(100000, 'x');
    data += "\r\n--bound";  // maybe a delimiter: held back until the next bytes say
    parser.Feed(data);
    std::size_t emitted = 0;
    for (auto e = parser.Next(); e.ok() && *e == Event::kPartData; e = parser.Next()) {
        emitted += parser.Data().size();
    }
    EXPECT_EQ(emitted, 100000u);
    parser.Feed("arY is not next");
    std::string rest;
    for (auto e = parser.Next(); e.ok() && *e == Event::kPartData; e = parser.Next()) {
        rest += parser.Data();
    }
    EXPECT_EQ(rest, "\r\n--boundarY is not next");
}

TEST(Multipart, FeedingBeforeTheInputIsUsedIsAnError) {
    MultipartParser parser("b");
    ASSERT_EQ(*parser.Next(), Event::kNeedMore);
    parser.Feed("--b\r\n");
    parser.Feed("more");
    EXPECT_EQ(parser.Next().status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hatongsu::net
