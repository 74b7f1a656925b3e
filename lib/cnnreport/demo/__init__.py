"""The in-class demo: a live local web app over the built studies' final models, and the static
gallery for the report and the package."""
