/*
 * The route language. Operator precedence is the order of the alternatives in expr, highest
 * first, as in IoT Edge: unary minus, NOT, * / %, + -, ||, < <= > >=, = != <>, AND, OR, ??.
 * New built-in functions need no grammar change (they are looked up by name when compiling).
 */
parser grammar RouteParser;

options { tokenVocab = RouteLexer; }

route
    : ( SELECT STAR )? FROM source ( WHERE expr )? INTO sink EOF
    ;

// A condition on its own, for tools and tests.
condition
    : expr EOF
    ;

// A sink on its own: the router's fallbackRoute setting.
sinkOnly
    : sink EOF
    ;

source
    : PATH_SLASH ( pathItem PATH_SLASH )* pathItem?
    ;

pathItem
    : PATH_STAR
    | PATH_ID
    ;

sink
    : SYS_PROP                                      # systemSink
    | func=ID OPEN_PARENS address=STRING CLOSE_PARENS  # functionSink
    ;

expr
    : OPEN_PARENS expr CLOSE_PARENS                                     # nested
    | func=ID OPEN_PARENS ( expr ( COMMA expr )* )? CLOSE_PARENS         # call
    | op=MINUS expr                                                     # negate
    | op=NOT expr                                                       # not
    | left=expr op=( STAR | SLASH | PERCENT ) right=expr                # multiplicative
    | left=expr op=( PLUS | MINUS ) right=expr                          # additive
    | left=expr op=OP_CONCAT right=expr                                 # concat
    | left=expr op=( OP_LT | OP_LE | OP_GT | OP_GE ) right=expr         # compare
    | left=expr op=( OP_EQ | OP_NE | OP_LTGT ) right=expr               # equality
    | left=expr op=AND right=expr                                       # and
    | left=expr op=OR right=expr                                        # or
    | left=expr op=OP_COALESCE right=expr                               # coalesce
    | literal                                                           # literalExpr
    | ID                                                                # appProperty
    | SYS_PROP                                                          # sysProperty
    | OPEN_BRACE SYS_PROP CLOSE_BRACE                                   # escapedSysProperty
    ;

literal
    : STRING        # stringLiteral
    | INTEGER       # integerLiteral
    | HEX           # hexLiteral
    | REAL          # realLiteral
    | TRUE          # trueLiteral
    | FALSE         # falseLiteral
    | NULL          # nullLiteral
    | UNDEFINED     # undefinedLiteral
    ;
