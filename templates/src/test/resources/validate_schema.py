"""Validates a JSON or YAML instance against a JSON Schema with python3-jsonschema (Debian's,
independent of Kiln). Usage: validate_schema.py SCHEMA INSTANCE [--draft 7|2019] [--pointer KEY]
[--base-id PREFIX]. Referenced files are resolved from SCHEMA's directory by their $id prefix."""
import json, os, sys
import jsonschema
import yaml

def main():
    schema_path, instance_path = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    opts = dict(zip(args[::2], args[1::2]))
    with open(schema_path) as f:
        schema = json.load(f)
    with open(instance_path) as f:
        text = f.read()
    instance = yaml.safe_load(text) if instance_path.endswith(('.yaml', 'user-data')) else json.loads(text)
    if '--pointer' in opts:
        instance = instance[opts['--pointer']]
    base_dir = os.path.dirname(os.path.abspath(schema_path))
    store = {}
    prefix = opts.get('--base-id')
    if prefix:
        for name in os.listdir(base_dir):
            if name.endswith('.json'):
                with open(os.path.join(base_dir, name)) as f:
                    store[prefix + name] = json.load(f)
    cls = jsonschema.Draft201909Validator if opts.get('--draft') == '2019' else jsonschema.Draft7Validator
    resolver = jsonschema.RefResolver(base_uri=schema.get('$id', ''), referrer=schema, store=store)
    validator = cls(schema, resolver=resolver)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    for e in errors:
        print('%s: %s' % ('/'.join(str(p) for p in e.path), e.message))
    # subiquity drops unknown top-level keys (fatal under version 2): compare them too
    if '--pointer' in opts and isinstance(instance, dict):
        unknown = set(instance) - set(schema.get('properties', {}))
        for k in sorted(unknown):
            print('%s: not a top-level autoinstall key' % k)
            errors.append(k)
    sys.exit(1 if errors else 0)

main()
