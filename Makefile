# Thin aliases for ./course (the README's commands work without make).
.PHONY: start test test-fast book glossary pages clean-notebooks bench lock
start test test-fast book glossary pages clean-notebooks bench lock:
	./course $@
