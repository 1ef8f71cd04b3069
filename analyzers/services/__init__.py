"""Access Analyzer's operations: one function each, authorized, validated and audited by the operation frame."""
