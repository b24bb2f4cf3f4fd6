//! Cross-service black-box tests live in tests/.
