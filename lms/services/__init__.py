"""Domain logic. Services never import Flask: views, the CLI and jobs all call them."""
