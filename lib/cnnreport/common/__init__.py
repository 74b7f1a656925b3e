"""Infrastructure every stage uses: where files live, atomic writes, seeding."""
