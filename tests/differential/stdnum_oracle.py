"""Oracle for aikom_stdnum_diff: python-stdnum's verdict on each input line.

Reads lines `<kind> <digits>` from stdin, where kind is `rnokpp` (stdnum.ua.rntrc) or `edrpou`
(stdnum.ua.edrpou), and prints `1` or `0` per line, in order, from the module's is_valid().
Any other kind is an error (exit status 2), so a framing mistake cannot pass as a verdict.
"""

import sys

import stdnum.ua.edrpou
import stdnum.ua.rntrc

MODULES = {'rnokpp': stdnum.ua.rntrc, 'edrpou': stdnum.ua.edrpou}


def main():
    out = []
    for number, line in enumerate(sys.stdin, start=1):
        kind, _, value = line.rstrip('\n').partition(' ')
        module = MODULES.get(kind)
        if module is None:
            sys.stderr.write('stdnum_oracle.py: line %d: unknown kind %r\n' % (number, kind))
            return 2
        out.append('1' if module.is_valid(value) else '0')
    sys.stdout.write('\n'.join(out))
    sys.stdout.write('\n' if out else '')
    return 0


if __name__ == '__main__':
    sys.exit(main())
