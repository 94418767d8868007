"""Pairs collected access tokens with their tenant: reads the tenants file (slug<TAB>auth) and
token files; writes slug<TAB>auth<TAB>token, the tenant taken from the token's own `iss`.
Prints how many distinct tenants the tokens cover."""
import base64
import json
import sys

tenants_file, output, *token_files = sys.argv[1:]
auth = {}
for line in open(tenants_file):
    slug, header = line.rstrip("\n").split("\t", 1)
    auth[slug] = header
covered = set()
with open(output, "w") as out:
    for name in token_files:
        for token in open(name):
            token = token.strip()
            if token.count(".") != 2:
                continue
            payload = token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            slug = claims["iss"].rsplit("/", 1)[1]
            covered.add(slug)
            out.write(f"{slug}\t{auth[slug]}\t{token}\n")
print(len(covered))
