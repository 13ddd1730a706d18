"""End-to-end benchmarks: a load generator, a server runner, and a throwaway PostgreSQL."""
