# Hatongsu: the two commands are `make run` and `make test`; see README.md.
.PHONY: run test test-tsan bench build clean format

run:
	scripts/run.sh

test:
	scripts/test.sh

test-tsan:  # the whole suite under ThreadSanitizer (not in CI: a second full build)
	HATONGSU_PRESET=tsan scripts/test.sh -j1  # one test at a time: TSan is slow and e2e deadlines are real

bench:
	scripts/bench.sh

build:
	scripts/setup
	cmake --preset release
	cmake --build --preset release
	scripts/web.sh build

format:
	find libs services tests bench fuzz -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build web/dist
