#include "services/album/domain/time_text.h"

namespace hatongsu::album {
namespace {

// Reads exactly `n` ASCII digits at `pos`; advances pos. nullopt otherwise.
std::optional<int> Digits(std::string_view text, std::size_t& pos, std::size_t n) {
    if (pos + n > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < n; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    pos += n;
    return value;
}

bool Expect(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

struct DatePart {
    int year;
    int month;
    int day;
};

std::optional<DatePart> ReadDate(std::string_view text, std::size_t& pos) {
    auto y = Digits(text, pos, 4);
    if (!y || !Expect(text, pos, '-')) {
        return std::nullopt;
    }
    auto m = Digits(text, pos, 2);
    if (!m || !Expect(text, pos, '-')) {
        return std::nullopt;
    }
    auto d = Digits(text, pos, 2);
    if (!d) {
        return std::nullopt;
    }
    return DatePart{*y, *m, *d};
}

}  // namespace

std::optional<LocalDateTime> ParseLocalDateTime(std::string_view text) {
    std::size_t pos = 0;
    auto date = ReadDate(text, pos);
    if (!date) {
        return std::nullopt;
    }
    int hour = 0;
    int minute = 0;
    int second = 0;
    int millisecond = 0;
    if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
        ++pos;
        auto h = Digits(text, pos, 2);
        if (!h || !Expect(text, pos, ':')) {
            return std::nullopt;
        }
        auto mi = Digits(text, pos, 2);
        if (!mi) {
            return std::nullopt;
        }
        hour = *h;
        minute = *mi;
        if (Expect(text, pos, ':')) {
            auto s = Digits(text, pos, 2);
            if (!s) {
                return std::nullopt;
            }
            second = *s;
            if (Expect(text, pos, '.')) {
                std::size_t digits = 0;
                int scale = 100;
                while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                    if (digits < 3) {
                        millisecond += (text[pos] - '0') * scale;
                        scale /= 10;
                    }
                    ++digits;
                    ++pos;
                    if (digits > 9) {
                        return std::nullopt;
                    }
                }
                if (digits == 0) {
                    return std::nullopt;
                }
            }
        }
        Expect(text, pos, 'Z');
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    return FromCivil(date->year, date->month, date->day, hour, minute, second, millisecond);
}

std::optional<LocalDateTime> ParseIsoDate(std::string_view text) {
    std::size_t pos = 0;
    auto date = ReadDate(text, pos);
    if (!date) {
        return std::nullopt;
    }
    if (pos != text.size() && text[pos] != 'T' && text[pos] != ' ') {
        return std::nullopt;
    }
    return FromCivil(date->year, date->month, date->day, 0, 0, 0, 0);
}

}  // namespace hatongsu::album
