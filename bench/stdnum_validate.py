"""python-stdnum's side of aikom_bench's identifier section (issue 10, section 4).

    python3 stdnum_validate.py rnokpp|edrpou FILE

Validates every line of FILE with stdnum.ua.rntrc or stdnum.ua.edrpou and prints how many are
valid: the same work as `aikom_bench --validate-identifiers KIND FILE`, timed the same way
(the whole process, start to exit).
"""

import sys

import stdnum.ua.edrpou
import stdnum.ua.rntrc

MODULES = {'rnokpp': stdnum.ua.rntrc, 'edrpou': stdnum.ua.edrpou}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in MODULES:
        sys.stderr.write('usage: stdnum_validate.py rnokpp|edrpou FILE\n')
        return 2
    is_valid = MODULES[sys.argv[1]].is_valid
    valid = 0
    with open(sys.argv[2], encoding='ascii') as f:
        for line in f:
            if is_valid(line.rstrip('\n')):
                valid += 1
    print(valid)
    return 0


if __name__ == '__main__':
    sys.exit(main())
