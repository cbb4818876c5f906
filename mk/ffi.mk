# libgatekey: the C library (ffi/), its generated header, C tests, example.

FFI_REL := target/release
FFI_OUT := target/c
FFI_CC ?= cc
FFI_CXX ?= c++
FFI_CFLAGS := -Wall -Wextra -Werror -std=c99 -g -Iinclude -Iffi/tests/c
FFI_LIBS := -lpthread -ldl -lm
FFI_VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,possible \
    --suppressions=ffi/tests/c/valgrind.supp
FFI_VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
# Generated files that must match the committed copies.
FFI_GENERATED := include/gatekey.h ffi/src/status.rs ffi/tests/c/fixtures.h examples/c/jwks.json examples/c/token.txt \
    tests/validation.json ffi/tests/c/validation_cases.h ffi/tests/c/precedence_cases.h

.PHONY: header ffi-lib test-ffi c-example ffi-sizes install test-install

header: ## regenerate include/gatekey.h (and ffi/src/status.rs) from ffi/ and the core's errors
	$(CARGO) build -p gatekey-ffi --release

ffi-lib: ## build libgatekey.a, libgatekey.so (and its SONAME link) and gatekey.pc in target/release
	$(CARGO) build -p gatekey-ffi --release
	sed -e 's|@PREFIX@|$(CURDIR)|' -e 's|@LIBDIR@|$(CURDIR)/$(FFI_REL)|' \
	    -e 's|@INCLUDEDIR@|$(CURDIR)/include|' -e 's|@VERSION@|$(FFI_VERSION)|' \
	    ffi/gatekey.pc.in > $(FFI_REL)/gatekey.pc
	ln -sf libgatekey.so $(FFI_REL)/libgatekey.so.$(FFI_MAJOR)

test-ffi: ffi-lib ## C library: Rust tests, fresh header, C tests under valgrind and ASan, C++ check, example
	$(CARGO) test -p gatekey-ffi
	python3 tests/make_validation.py >/dev/null
	python3 tests/make_precedence_c.py >/dev/null
	git diff --exit-code -- $(FFI_GENERATED)
	@command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
	mkdir -p $(FFI_OUT)
	$(FFI_CC) $(FFI_CFLAGS) ffi/tests/c/test_gatekey.c -o $(FFI_OUT)/test_gatekey $(FFI_REL)/libgatekey.a $(FFI_LIBS)
	$(FFI_VALGRIND) $(FFI_OUT)/test_gatekey
	$(FFI_CC) $(FFI_CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer \
	    ffi/tests/c/test_gatekey.c -o $(FFI_OUT)/test_gatekey_asan $(FFI_REL)/libgatekey.a $(FFI_LIBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 $(FFI_OUT)/test_gatekey_asan
	$(FFI_CXX) -Wall -Wextra -Werror -std=c++11 -Iinclude ffi/tests/c/header_check.cpp \
	    -o $(FFI_OUT)/header_check $(FFI_REL)/libgatekey.a $(FFI_LIBS)
	$(FFI_OUT)/header_check
	$(MAKE) --no-print-directory c-example
	$(MAKE) --no-print-directory test-install

c-example: ffi-lib ## build the C example against libgatekey.so (via gatekey.pc) and run it
	mkdir -p $(FFI_OUT)
	$(FFI_CC) -Wall -Wextra -Werror -std=c99 examples/c/example.c -o $(FFI_OUT)/example \
	    $$(PKG_CONFIG_PATH=$(FFI_REL) pkg-config --cflags --libs gatekey 2>/dev/null || echo -Iinclude -L$(FFI_REL) -lgatekey) \
	    -Wl,-rpath,$(CURDIR)/$(FFI_REL)
	$(FFI_VALGRIND) $(FFI_OUT)/example examples/c/jwks.json "Authorization: Bearer $$(cat examples/c/token.txt)"
	! $(FFI_OUT)/example examples/c/jwks.json "Cookie: theme=dark"

ffi-sizes: ffi-lib ## print the sizes of the release libgatekey.a and .so
	@ls -l $(FFI_REL)/libgatekey.a $(FFI_REL)/libgatekey.so | awk '{print $$5, $$9}'

FFI_MAJOR = $(firstword $(subst ., ,$(FFI_VERSION)))
FFI_SO = libgatekey.so.$(FFI_VERSION)

install: ffi-lib ## install libgatekey (.a and .so with its SONAME), gatekey.h and gatekey.pc under PREFIX (default /usr/local)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 644 $(FFI_REL)/libgatekey.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(FFI_REL)/libgatekey.so $(DESTDIR)$(PREFIX)/lib/$(FFI_SO)
	ln -sf $(FFI_SO) $(DESTDIR)$(PREFIX)/lib/libgatekey.so.$(FFI_MAJOR)
	ln -sf libgatekey.so.$(FFI_MAJOR) $(DESTDIR)$(PREFIX)/lib/libgatekey.so
	install -m 644 include/gatekey.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PREFIX)/lib|' -e 's|@INCLUDEDIR@|$(PREFIX)/include|' \
	    -e 's|@VERSION@|$(FFI_VERSION)|' ffi/gatekey.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/gatekey.pc

# Installs into a scratch PREFIX, then builds the C example from the
# installed copy only (pkg-config, no -I or -L into the tree) both ways:
# shared, run without LD_LIBRARY_PATH, its NEEDED entry the SONAME; and
# static, needing no libgatekey at run time.
test-install: ## C library: make install into a scratch PREFIX, link the example via pkg-config (shared and static) and run it
	@scratch=$$(mktemp -d) && trap 'rm -rf "$$scratch"' EXIT && \
	$(MAKE) --no-print-directory -s install PREFIX="$$scratch/prefix" && \
	export PKG_CONFIG_PATH="$$scratch/prefix/lib/pkgconfig" && \
	test "$$(readelf -d "$$scratch/prefix/lib/$(FFI_SO)" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')" = libgatekey.so.$(FFI_MAJOR) && \
	$(FFI_CC) -Wall -Wextra -Werror -std=c99 examples/c/example.c -o "$$scratch/shared" $$(pkg-config --cflags --libs gatekey) && \
	readelf -d "$$scratch/shared" | grep -q 'NEEDED.*\[libgatekey.so.$(FFI_MAJOR)\]' && \
	env -u LD_LIBRARY_PATH ldd "$$scratch/shared" | grep -q "libgatekey.so.$(FFI_MAJOR) => $$scratch/prefix/lib/" && \
	env -u LD_LIBRARY_PATH "$$scratch/shared" examples/c/jwks.json "Authorization: Bearer $$(cat examples/c/token.txt)" >/dev/null && \
	$(FFI_CC) -Wall -Wextra -Werror -std=c99 examples/c/example.c -o "$$scratch/static" \
	    $$(pkg-config --cflags gatekey) "$$(pkg-config --variable=libdir gatekey)/libgatekey.a" $$(pkg-config --static --libs-only-l gatekey | sed 's/-lgatekey//') && \
	! readelf -d "$$scratch/static" | grep -q 'NEEDED.*libgatekey' && \
	"$$scratch/static" examples/c/jwks.json "Authorization: Bearer $$(cat examples/c/token.txt)" >/dev/null && \
	echo "test-install: installed libgatekey $(FFI_VERSION) links and runs via pkg-config, shared and static"

PREFIX ?= /usr/local
TEST_TARGETS += test-ffi
