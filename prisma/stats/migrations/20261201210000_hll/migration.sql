-- HyperLogLog (the Citus postgresql-hll extension, Debian package postgresql-<major>-hll) for the distinct
-- visitor counts of the statistics rollups. In SQL only: the Prisma schema declares no extensions.
CREATE EXTENSION IF NOT EXISTS hll;
