"""What every domain shares: model base, time, markdown, audit, headers, errors."""
