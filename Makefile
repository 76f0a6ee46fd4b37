# Hatongsu: the two commands are `make run` and `make test`; see README.md.
.PHONY: run test bench build clean format

run:
	scripts/run.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

build:
	scripts/setup
	cmake --preset release
	cmake --build --preset release

format:
	find libs services tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
